#!/usr/bin/python3
"""Reference values for the evaluation tests (dev.sluice.operators.evaluation), computed
independently of the Java code with scikit-learn, numpy and pandas (Debian python3-sklearn,
python3-numpy, python3-pandas).

Writes, next to this script:
  scored_transactions.csv   day, customer, score, label: scores rounded to 2 decimals (many ties,
                            also across classes), a few exact 0 and 1 (log-loss clipping)
  expected_metrics.properties   sklearn's roc_auc_score, average_precision_score, log_loss,
                            brier_score_loss, precision/recall/f1 at 0.5, and the handbook's
                            card_precision_top_k loop (chapter 4) for k = 10 and 100
  profile_columns.csv       a continuous, an integer (ties) and a 0/1 column
  expected_profiles.properties  count, mean, np.std, min, max, np.quantile at 0, 0.01, .., 1
                            (linear), np.histogram over the deduplicated deciles

Run: /usr/bin/python3 generate_expected.py  (deterministic: fixed seeds)
"""
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import (average_precision_score, brier_score_loss, f1_score, log_loss,
                             precision_score, recall_score, roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))


def card_precision_top_k_day(df_day, top_k):
    # The handbook's function; 'mergesort' (stable) instead of the default quicksort makes the
    # order of equal scores defined: by customer id, the order groupby leaves them in.
    df_day = df_day.groupby('CUSTOMER_ID').max().sort_values(
        by="predictions", ascending=False, kind="mergesort").reset_index(drop=False)
    df_day_top_k = df_day.head(top_k)
    list_detected_compromised_cards = list(df_day_top_k[df_day_top_k.TX_FRAUD == 1].CUSTOMER_ID)
    card_precision_top_k = len(list_detected_compromised_cards) / top_k
    return list_detected_compromised_cards, card_precision_top_k


def card_precision_top_k(predictions_df, top_k, remove_detected_compromised_cards=True):
    # The handbook's loop (chapter 4, shared functions), unchanged.
    list_days = list(predictions_df['TX_TIME_DAYS'].unique())
    list_days.sort()
    list_detected_compromised_cards = []
    card_precision_top_k_per_day_list = []
    nb_compromised_cards_per_day = []
    for day in list_days:
        df_day = predictions_df[predictions_df['TX_TIME_DAYS'] == day]
        df_day = df_day[['predictions', 'CUSTOMER_ID', 'TX_FRAUD']]
        df_day = df_day[df_day.CUSTOMER_ID.isin(list_detected_compromised_cards) == False]
        nb_compromised_cards_per_day.append(len(df_day[df_day.TX_FRAUD == 1].CUSTOMER_ID.unique()))
        detected_compromised_cards, card_precision_top_k = card_precision_top_k_day(df_day, top_k)
        card_precision_top_k_per_day_list.append(card_precision_top_k)
        if remove_detected_compromised_cards:
            list_detected_compromised_cards.extend(detected_compromised_cards)
    mean_card_precision_top_k = np.array(card_precision_top_k_per_day_list).mean()
    return nb_compromised_cards_per_day, card_precision_top_k_per_day_list, mean_card_precision_top_k


def scored_transactions():
    rng = np.random.RandomState(20180808)
    rows = []
    for day in range(7):
        for _ in range(600):
            customer = rng.randint(0, 250)
            # Compromised customers (ids < 25) make most frauds, so cards repeat across days.
            p_fraud = 0.35 if customer < 25 else 0.03
            label = int(rng.rand() < p_fraud)
            score = rng.beta(3, 2) if label else rng.beta(1.2, 4)
            rows.append((17746 + day, 'C-%05d' % customer, round(score, 2), label))
    df = pd.DataFrame(rows, columns=['day', 'customer', 'score', 'label'])
    # Exact 0 and 1 on both classes: log loss must clip them.
    df.loc[0:3, 'score'] = [0.0, 1.0, 0.0, 1.0]
    df.loc[0:3, 'label'] = [0, 1, 1, 0]
    return df


def fmt(x):
    return repr(float(x))


def main():
    df = scored_transactions()
    df.to_csv(os.path.join(HERE, 'scored_transactions.csv'), index=False)
    y, s = df['label'].values, df['score'].values
    pred = (s >= 0.5).astype(int)
    out = {
        'rows': len(df),
        'positives': int(y.sum()),
        'auc_roc': fmt(roc_auc_score(y, s)),
        'average_precision': fmt(average_precision_score(y, s)),
        'log_loss': fmt(log_loss(y, s)),
        'brier': fmt(brier_score_loss(y, s)),
        'precision_at_0.5': fmt(precision_score(y, pred)),
        'recall_at_0.5': fmt(recall_score(y, pred)),
        'f1_at_0.5': fmt(f1_score(y, pred)),
    }
    # Without the clipped rows: log loss on (0, 1) only.
    inner = df.iloc[4:]
    out['log_loss_without_extremes'] = fmt(log_loss(inner['label'].values, inner['score'].values))
    # Ties only: every score the same gives AUC 0.5 and AP = the fraud rate.
    out['auc_roc_constant_scores'] = fmt(roc_auc_score(y, np.full(len(y), 0.3)))
    out['average_precision_constant_scores'] = fmt(
        average_precision_score(y, np.full(len(y), 0.3)))
    predictions = pd.DataFrame({'TX_TIME_DAYS': df['day'], 'CUSTOMER_ID': df['customer'],
                                'predictions': df['score'], 'TX_FRAUD': df['label']})
    for k in (10, 100):
        compromised, per_day, mean = card_precision_top_k(predictions, k)
        out['card_precision_at_%d' % k] = fmt(mean)
        out['card_precision_at_%d.per_day' % k] = ','.join(fmt(p) for p in per_day)
        out['card_precision_at_%d.compromised_cards_per_day' % k] = ','.join(
            str(c) for c in compromised)
        _, _, kept = card_precision_top_k(predictions, k, remove_detected_compromised_cards=False)
        out['card_precision_at_%d.without_removal' % k] = fmt(kept)
    write(os.path.join(HERE, 'expected_metrics.properties'), out)

    rng = np.random.RandomState(7)
    n = 1999
    columns = pd.DataFrame({
        'amount': np.round(rng.lognormal(3.5, 0.8, n), 2),
        'count': rng.poisson(1.2, n).astype(float),
        'flag': (rng.rand(n) < 0.28).astype(float),
    })
    columns.to_csv(os.path.join(HERE, 'profile_columns.csv'), index=False)
    probabilities = np.arange(101) / 100
    expected = {}
    for name in columns.columns:
        v = columns[name].values
        expected[name + '.count'] = len(v)
        expected[name + '.mean'] = fmt(np.mean(v))
        expected[name + '.std'] = fmt(np.std(v))
        expected[name + '.min'] = fmt(np.min(v))
        expected[name + '.max'] = fmt(np.max(v))
        expected[name + '.quantiles'] = ','.join(fmt(q) for q in np.quantile(v, probabilities))
        edges = np.unique(np.quantile(v, np.arange(11) / 10))
        counts, _ = np.histogram(v, bins=edges)
        expected[name + '.bin_edges'] = ','.join(fmt(e) for e in edges)
        expected[name + '.bin_counts'] = ','.join(str(c) for c in counts)
        if set(np.unique(v)) <= {0.0, 1.0}:
            expected[name + '.category.0'] = int((v == 0).sum())
            expected[name + '.category.1'] = int((v == 1).sum())
    write(os.path.join(HERE, 'expected_profiles.properties'), expected)


def write(path, values):
    with open(path, 'w') as f:
        f.write('# Generated by generate_expected.py with scikit-learn %s, numpy %s, pandas %s;'
                ' do not edit.\n' % (sklearn.__version__, np.__version__, pd.__version__))
        for key, value in values.items():
            f.write('%s=%s\n' % (key, value))


if __name__ == '__main__':
    main()
