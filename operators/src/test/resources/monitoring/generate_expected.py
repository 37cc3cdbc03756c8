#!/usr/bin/python3
"""Reference values for the online evaluation tests (dev.sluice.operators.monitoring.evaluation),
computed independently of the Java code with scikit-learn, numpy and pandas (Debian
python3-sklearn, python3-numpy, python3-pandas).

Writes, next to this script:
  evaluation_day.csv   one day (2018-08-08 UTC) of one model's predictions and their labels:
                       event_id, event_time (epoch ms), card, score, label_lag_ms (-1: no label
                       event), fraud. Scores are calibrated by construction (fraud ~ Bernoulli(score)),
                       rounded to 3 decimals (ties, also across classes), with a few exact 0 and 1.
                       Most labels arrive within the 7-day maximum delay; some never arrive and
                       some arrive later than 7 days (those must count as unlabelled).
  expected_evaluation.properties
      realized.*   over the predictions labelled within 7 days: sklearn roc_auc_score,
                   average_precision_score, log_loss, brier_score_loss, precision/recall/f1 at the
                   threshold (score >= threshold), the handbook's card_precision_top_k for k = K
      estimated.*  CBPE (NannyML's definition) over all predictions, in numpy: expected confusion
                   matrix from the scores, expected precision, recall, F1, positive rate, and the
                   expected ROC AUC (each score a positive of weight p and a negative of weight
                   1 - p), checked here against sklearn's roc_auc_score with sample weights
      predictions, labelled, positives, label_coverage, mean_label_lag_ms, threshold, k

Run: /usr/bin/python3 generate_expected.py  (deterministic: fixed seed)
"""
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the shared reference folder

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import (average_precision_score, brier_score_loss, f1_score, log_loss,
                             precision_score, recall_score, roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))
# The handbook's Card Precision@k loop, shared with the offline evaluation reference.
sys.path.insert(0, os.path.join(HERE, '..', 'evaluation'))
from generate_expected import card_precision_top_k  # noqa: E402

DAY_MS = 86_400_000
DAY0 = int(pd.Timestamp('2018-08-08', tz='UTC').timestamp() * 1000)
MAX_DELAY_MS = 7 * DAY_MS
THRESHOLD = 0.3
K = 100
N = 3000
CARDS = 2000


def generate(rng):
    times = np.sort(rng.integers(0, DAY_MS, N)) + DAY0
    cards = rng.integers(0, CARDS, N)
    scores = np.round(rng.beta(0.6, 4.0, N), 3)
    scores[rng.choice(N, 4, replace=False)] = 0.0
    scores[rng.choice(N, 3, replace=False)] = 1.0
    fraud = rng.random(N) < scores
    # Label delay: 80% within 7 days, 8% later than 7 days, 12% never.
    u = rng.random(N)
    lag = np.where(u < 0.80, rng.integers(0, MAX_DELAY_MS + 1, N),
                   np.where(u < 0.88, MAX_DELAY_MS + 1 + rng.integers(0, 3 * DAY_MS, N), -1))
    lag[0] = MAX_DELAY_MS  # exactly at the limit: still on time
    return pd.DataFrame({
        'event_id': ['tx-%05d' % i for i in range(N)],
        'event_time': times,
        'card': ['card-%03d' % c for c in cards],
        'score': scores,
        'label_lag_ms': lag,
        'fraud': fraud.astype(int),
    })


def cbpe(p, threshold):
    """NannyML's CBPE for binary classification, written out with numpy."""
    pred = p >= threshold
    tp = p[pred].sum()
    fp = (1 - p[pred]).sum()
    fn = p[~pred].sum()
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else 0.0
    # Expected ROC curve: at each distinct threshold (descending), cumulative expected positives
    # (sum p) and negatives (sum 1 - p) above it; trapezoidal area.
    order = np.argsort(-p, kind='mergesort')
    s = p[order]
    tps = np.cumsum(s)
    fps = np.cumsum(1 - s)
    last = np.r_[np.where(np.diff(s) != 0)[0], len(s) - 1]
    tpr = np.r_[0, tps[last]] / tps[-1]
    fpr = np.r_[0, fps[last]] / fps[-1]
    auc = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
    # The same, as sklearn's weighted AUC over each row as a positive and as a negative.
    weighted = roc_auc_score(np.r_[np.ones(len(p)), np.zeros(len(p))], np.r_[p, p],
                             sample_weight=np.r_[p, 1 - p])
    assert abs(auc - weighted) < 1e-12, (auc, weighted)
    return {'auc_roc': auc, 'precision': precision, 'recall': recall, 'f1': f1,
            'positive_rate': pred.mean()}


def fmt(x):
    return repr(float(x))


def main():
    df = generate(np.random.default_rng(20180808))
    df.to_csv(os.path.join(HERE, 'evaluation_day.csv'), index=False)

    on_time = (df.label_lag_ms >= 0) & (df.label_lag_ms <= MAX_DELAY_MS)
    lab = df[on_time]
    y, s = lab.fraud.values, lab.score.values
    pred = (s >= THRESHOLD).astype(int)
    handbook = pd.DataFrame({'predictions': s, 'CUSTOMER_ID': lab.card.values, 'TX_FRAUD': y,
                             'TX_TIME_DAYS': (lab.event_time.values - DAY0) // DAY_MS})
    out = {
        'predictions': len(df),
        'labelled': len(lab),
        'positives': int(y.sum()),
        'label_coverage': fmt(len(lab) / len(df)),
        'mean_label_lag_ms': fmt(lab.label_lag_ms.mean()),
        'threshold': fmt(THRESHOLD),
        'k': K,
        'realized.auc_roc': fmt(roc_auc_score(y, s)),
        'realized.average_precision': fmt(average_precision_score(y, s)),
        'realized.log_loss': fmt(log_loss(y, s)),
        'realized.brier': fmt(brier_score_loss(y, s)),
        'realized.precision': fmt(precision_score(y, pred)),
        'realized.recall': fmt(recall_score(y, pred)),
        'realized.f1': fmt(f1_score(y, pred)),
        'realized.card_precision_at_k': fmt(card_precision_top_k(handbook, K)[2]),
    }
    for key, value in cbpe(df.score.values, THRESHOLD).items():
        out['estimated.' + key] = fmt(value)
    with open(os.path.join(HERE, 'expected_evaluation.properties'), 'w') as f:
        f.write('# Generated by generate_expected.py with scikit-learn %s, numpy %s, pandas %s;'
                ' do not edit.\n' % (sklearn.__version__, np.__version__, pd.__version__))
        for key, value in out.items():
            f.write('%s=%s\n' % (key, value))


if __name__ == '__main__':
    main()
