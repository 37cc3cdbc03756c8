#!/usr/bin/python3
"""Reference values for the drift statistics tests (dev.sluice.operators.monitoring.drift),
computed independently of the Java code with numpy and scipy on the raw samples (Debian
python3-numpy, python3-scipy).

Writes, next to this script:
  samples.csv          one sample per line, 'name,value,value,...': for each variable a
                       '<variable>.reference' sample and the current windows '<variable>.<case>'
                       (numeric values rounded to 4 decimals, categories as text)
  expected.properties  per variable, its reference profile with ProfileBuilder's rules (count,
                       mean, np.std, min, max, np.quantile at 0, 0.01, .., 1 (linear), deciles
                       deduplicated as bin edges, histogram counts with values outside the edges in
                       the first/last bin, or category counts);
                       per case the exact statistics on the raw samples:
                         ks, ks_p_value          scipy.stats.ks_2samp(reference, current)
                                                 (method 'auto': exact for these sizes)
                         ks_p_value_asymp        scipy.stats.kstwobign.sf(sqrt(e) ks), e = n m / (n + m)
                         ks_p_value_stephens     scipy.stats.kstwobign.sf((sqrt(e) + 0.12 + 0.11 / sqrt(e)) ks)
                                                 (both from scipy's exact ks, to test the p-value
                                                 formula apart from the grid approximation)
                         wasserstein_norm        scipy.stats.wasserstein_distance / max(np.std(ref), 0.001)
                         psi                     on the reference decile bins (first/last bin take
                                                 the values outside), empty bins 0.0001, Evidently's
                                                 sum((cur - ref) * ln(cur / ref))
                         js_distance             scipy.spatial.distance.jensenshannon(.., base=2) of
                                                 the raw reference and current histograms on the
                                                 fine grid (numeric) or of the category counts
                         chi2, chi2_p_value      scipy.stats.chisquare(observed, reference
                                                 proportions * m) (categorical)
                         drifted, decided_by     Evidently's default rule on these exact values

Run: /usr/bin/python3 generate_expected.py  (deterministic: fixed seeds)
"""
import math
import os
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

HERE = os.path.dirname(os.path.abspath(__file__))
EPSILON = 0.0001
P_THRESHOLD = 0.05
DISTANCE_THRESHOLD = 0.1
# The script refuses a case whose exact statistic is this close (relative) to its threshold, so the
# grid approximation cannot flip a decision by accident.
MARGIN = 0.2


def r4(x):
    return np.round(np.asarray(x, dtype=float), 4)


def numeric_cases(rng):
    amount = lambda n, mu=3.5, sigma=0.8: r4(rng.lognormal(mu, sigma, n))
    ref = amount(3000)
    sd = np.std(ref)
    cases = {
        'amount.reference': ref,
        'amount.same': amount(1000),
        'amount.shift': r4(amount(1000) + 0.3 * sd),
        'amount.scale': amount(1000, 3.5, 1.1),
        'amount.heavy': r4(np.where(rng.rand(1000) < 0.03,
                                    amount(1000) * (10 + rng.pareto(1.5, 1000)), amount(1000))),
        # Every value between the 30th and 40th percentile: 9 of 10 decile bins empty.
        'amount.narrow': r4(rng.uniform(np.quantile(ref, 0.3), np.quantile(ref, 0.4), 1000)),
        'amount.tiny': amount(40),
    }
    beta = lambda n, a=2.0, b=5.0: r4(rng.beta(a, b, n))
    cases.update({
        'score.reference': beta(800),
        'score.same': beta(500),
        'score.shift': beta(500, 2.6, 5.0),
        'score.tiny_same': beta(15),
        'score.tiny_shift': beta(15, 5.0, 2.0),
    })
    cases.update({
        'count.reference': rng.poisson(1.2, 3000).astype(float),
        'count.same': rng.poisson(1.2, 1000).astype(float),
        'count.shift': rng.poisson(1.6, 1000).astype(float),
    })
    return cases


def categorical_cases(rng):
    label = lambda n, p: np.where(rng.rand(n) < p, '1', '0')
    channels = np.array(['web', 'app', 'pos', 'atm', 'kiosk'])
    channel = lambda n, p: rng.choice(channels, n, p=p)
    return {
        'label.reference': label(3000, 0.1),
        'label.same': label(1500, 0.1),
        'label.shift': label(1500, 0.25),
        'channel.reference': channel(600, [0.5, 0.3, 0.15, 0.05, 0.0]),
        'channel.same': channel(300, [0.5, 0.3, 0.15, 0.05, 0.0]),
        'channel.shift': channel(300, [0.3, 0.3, 0.3, 0.1, 0.0]),
        'channel.new': channel(300, [0.47, 0.3, 0.15, 0.03, 0.05]),
    }


def numeric_profile(ref):
    s = np.sort(ref)
    quantiles = np.quantile(s, np.linspace(0, 1, 101))
    deciles = np.quantile(s, np.arange(11) / 10)
    edges = [deciles[0]] + [e for prev, e in zip(deciles, deciles[1:]) if e != prev]
    edges = np.array(edges if len(edges) > 1 else [edges[0], edges[0]])
    return quantiles, edges, coarse_counts(s, edges)


def coarse_counts(values, edges):
    # ProfileBuilder.histogram: [e_i, e_i+1), last closed, values outside in the first/last bin.
    idx = np.clip(np.searchsorted(edges, values, side='right') - 1, 0, len(edges) - 2)
    return np.bincount(idx, minlength=len(edges) - 1)


def fine_counts(values, quantiles):
    # WindowSketch's grid: distinct quantiles e_0 < .. < e_k; bins (-inf, e_0), [e_i, e_i+1),
    # {e_k}, (e_k, inf).
    e = np.unique(quantiles)
    k = len(e) - 1
    idx = np.searchsorted(e, values, side='right')  # 0 below e_0, i+1 in [e_i, e_i+1), k+1 at/above e_k
    idx = np.where((idx == k + 1) & (values > e[k]), k + 2, idx)
    return np.bincount(idx, minlength=k + 3)


def psi(ref_counts, cur_counts):
    r = ref_counts / ref_counts.sum()
    c = cur_counts / cur_counts.sum()
    r = np.where(r == 0, EPSILON, r)
    c = np.where(c == 0, EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


def evidently_decision(count, numeric, st):
    if numeric:
        if count <= 1000:
            return 'ks', st['ks_p_value'] < P_THRESHOLD, st['ks_p_value'], P_THRESHOLD
        return 'wasserstein', st['wasserstein_norm'] >= DISTANCE_THRESHOLD, st['wasserstein_norm'], DISTANCE_THRESHOLD
    if count <= 1000:
        return 'chi2', st['chi2_p_value'] < P_THRESHOLD, st['chi2_p_value'], P_THRESHOLD
    return 'js', st['js_distance'] >= DISTANCE_THRESHOLD, st['js_distance'], DISTANCE_THRESHOLD


def compact(x):
    # Shortest text that parses back to the same double (4 decimals at most).
    return ('%.4f' % x).rstrip('0').rstrip('.')


def fmt(x):
    return repr(float(x))


def main():
    rng = np.random.RandomState(20240611)
    numeric = numeric_cases(rng)
    categorical = categorical_cases(rng)
    lines = ['# Generated by generate_expected.py with numpy %s, scipy %s; do not edit.'
             % (np.__version__, scipy.__version__)]
    with open(os.path.join(HERE, 'samples.csv'), 'w') as out:
        for name, values in list(numeric.items()) + list(categorical.items()):
            out.write(','.join([name] + [v if isinstance(v, str) else compact(v) for v in values]) + '\n')
    for name, ref in numeric.items():
        if not name.endswith('.reference'):
            continue
        var = name[:-len('.reference')]
        quantiles, edges, counts = numeric_profile(ref)
        lines += ['%s.kind=NUMERIC' % var, '%s.count=%d' % (var, len(ref)),
                  '%s.mean=%s' % (var, fmt(np.mean(ref))), '%s.std=%s' % (var, fmt(np.std(ref))),
                  '%s.min=%s' % (var, fmt(np.min(ref))), '%s.max=%s' % (var, fmt(np.max(ref))),
                  '%s.quantiles=%s' % (var, ','.join(fmt(q) for q in quantiles)),
                  '%s.bin_edges=%s' % (var, ','.join(fmt(e) for e in edges)),
                  '%s.bin_counts=%s' % (var, ','.join(str(c) for c in counts))]
        for case, cur in numeric.items():
            if not case.startswith(var + '.') or case == name:
                continue
            ks = stats.ks_2samp(ref, cur)
            n, m = len(ref), len(cur)
            en = n * m / (n + m)
            st = {
                'ks': ks.statistic,
                'ks_p_value': ks.pvalue,
                'ks_p_value_asymp': stats.kstwobign.sf(math.sqrt(en) * ks.statistic),
                'ks_p_value_stephens': stats.kstwobign.sf(
                    (math.sqrt(en) + 0.12 + 0.11 / math.sqrt(en)) * ks.statistic),
                'wasserstein_norm': stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001),
                'psi': psi(counts, coarse_counts(cur, edges)),
                'js_distance': jensenshannon(fine_counts(ref, quantiles), fine_counts(cur, quantiles), base=2),
            }
            emit(lines, case, len(ref), True, st)
    for name, ref in categorical.items():
        if not name.endswith('.reference'):
            continue
        var = name[:-len('.reference')]
        cats, ref_counts = np.unique(ref, return_counts=True)
        lines += ['%s.kind=CATEGORICAL' % var, '%s.count=%d' % (var, len(ref)),
                  '%s.categories=%s' % (var, ','.join('%s:%d' % (c, k) for c, k in zip(cats, ref_counts)))]
        for case, cur in categorical.items():
            if not case.startswith(var + '.') or case == name:
                continue
            keys = sorted(set(cats) | set(np.unique(cur)))
            r = np.array([np.sum(ref == k) for k in keys], dtype=float)
            c = np.array([np.sum(cur == k) for k in keys], dtype=float)
            with warnings.catch_warnings(), np.errstate(divide='ignore', invalid='ignore'):
                warnings.simplefilter('ignore')
                chi = stats.chisquare(c, r / r.sum() * c.sum())
            st = {'chi2': chi.statistic, 'chi2_p_value': chi.pvalue, 'psi': psi(r, c),
                  'js_distance': jensenshannon(r, c, base=2)}
            emit(lines, case, len(ref), False, st)
    with open(os.path.join(HERE, 'expected.properties'), 'w') as out:
        out.write('\n'.join(lines) + '\n')


def emit(lines, case, ref_count, numeric, st):
    by, drifted, value, threshold = evidently_decision(ref_count, numeric, st)
    if math.isfinite(value) and abs(value - threshold) < MARGIN * threshold:
        raise SystemExit('%s: %s = %r too close to its threshold %r' % (case, by, value, threshold))
    for k, v in st.items():
        lines.append('%s.%s=%s' % (case, k, fmt(v)))
    lines += ['%s.decided_by=%s' % (case, by), '%s.drifted=%s' % (case, str(bool(drifted)).lower())]
    print('%-20s %-12s drifted=%-5s %s' % (case, by, drifted,
                                           ' '.join('%s=%.4g' % (k, v) for k, v in st.items())))


if __name__ == '__main__':
    main()
