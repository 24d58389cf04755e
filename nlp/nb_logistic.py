"""Naive-Bayes-weighted logistic regression (NB-LR, the logistic twin of Wang & Manning's NBSVM, ACL 2012).

Each class gets its own binary logistic regression over the features scaled by their Naive Bayes log-count ratio:
r = log((p / |p|1) / (q / |q|1)), with p and q the smoothed counts of texts holding the feature inside and outside
the class. Words that tell the classes apart are magnified before the regression weighs them, which suits short
texts with few words each (tweets, review sentences). Columns that hold negative values (the rule compound score)
are not count features: they keep a ratio of 1.

Binary targets train one regression; more classes train one per class and normalise their probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    def __init__(self, C: float = 4.0, alpha: float = 1.0, class_weight: str | None = "balanced",
                 max_iter: int = 2000) -> None:
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.max_iter = max_iter

    def _ratios(self, present: csr_matrix, inside: np.ndarray, signed: np.ndarray) -> np.ndarray:
        p = self.alpha + np.asarray(present[inside].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(present[~inside].sum(axis=0)).ravel()
        ratios = np.log((p / p.sum()) / (q / q.sum()))
        ratios[signed] = 1.0
        return ratios

    def fit(self, X: Any, y: Any) -> "NBLogisticRegression":
        matrix = csr_matrix(X, copy=True)  # a copy: joblib hands parallel fits read-only memory maps
        matrix.sort_indices()
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError(f"NBLogisticRegression needs two classes or more; got {list(self.classes_)}")
        present = (matrix > 0).astype(float)
        signed = np.asarray((matrix < 0).sum(axis=0)).ravel() > 0
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        ratios, coefficients, intercepts = [], [], []
        for target in targets:
            inside = labels == target
            ratio = self._ratios(present, inside, signed)
            scaled = matrix.copy()
            scaled.data *= ratio[scaled.indices]
            regression = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
            regression.fit(scaled, inside.astype(int))
            ratios.append(ratio)
            # w . (x * r) = (w * r) . x: the ratios fold into the weights, prediction needs no scaled copy
            coefficients.append(regression.coef_[0] * ratio)
            intercepts.append(regression.intercept_[0])
        self.ratios_ = np.vstack(ratios)
        self.coef_ = np.vstack(coefficients)
        self.intercept_ = np.asarray(intercepts)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        scores = expit(np.asarray(csr_matrix(X) @ self._weights_by_feature()) + self.intercept_)
        if len(self.classes_) == 2:
            return np.column_stack([1.0 - scores[:, 0], scores[:, 0]])
        return scores / scores.sum(axis=1, keepdims=True)

    def _weights_by_feature(self) -> np.ndarray:
        """`coef_.T` in C order, made once: a sparse-times-dense product copies a transposed (Fortran-order) operand
        at every call, the size of the vocabulary times the classes. Same values, so the same products. Made again
        when `coef_` is replaced (not when it is changed in place)."""
        cached = self.__dict__.get("_coef_by_feature")
        if cached is None or cached[0] is not self.coef_:
            cached = self.__dict__["_coef_by_feature"] = (self.coef_, np.ascontiguousarray(self.coef_.T))
        return cached[1]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_coef_by_feature", None)  # derived: not saved with the model
        return state

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
