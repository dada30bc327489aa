"""CPU time of each component of kg's spaCy pipeline, against the model's own components in the same run.

    python benchmarks/nlp_bench.py                       # 100 synthetic articles, best of 3
    python benchmarks/nlp_bench.py --articles 300 --repeat 5
    python benchmarks/nlp_bench.py --jsonl my-articles.jsonl

The articles are parsed once, component by component; a copy of every Doc is kept as it enters each
component, and each component is then timed (CPU time, best of ``--repeat``) on fresh copies of its own
input, in batches of ``--batch-size`` as ``nlp.pipe`` runs it. The model's components (tok2vec, tagger, parser, attribute ruler, lemmatizer,
NER) are the reference: ``share`` is a component's time over theirs. The first lines give the CPU time of
importing ``kg.nlp.load`` and of ``load_pipeline()``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import table
from benchmarks.corpus import generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16, help="as kg extract gives nlp.pipe")
    parser.add_argument("--jsonl", type=Path, help="JSON Lines with a text field, instead of corpus.py")
    args = parser.parse_args(argv)
    if args.jsonl:
        with args.jsonl.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line, _ in zip(lines, range(args.articles), strict=False)]
    else:
        texts = [a["text"] for a in generate(args.articles)]

    started = time.process_time()
    from kg.nlp.load import load_pipeline
    imported = time.process_time()
    nlp = load_pipeline()
    loaded = time.process_time()
    print(f"import kg.nlp.load: {imported - started:.2f} s CPU; load_pipeline(): {loaded - imported:.2f} s CPU")

    docs = [nlp.make_doc(text) for text in texts]
    inputs = {}
    for name, component in nlp.pipeline:
        inputs[name] = [doc.copy() for doc in docs]
        docs = [component(doc) for doc in docs]
    seconds: dict[str, float] = {}
    for name, component in nlp.pipeline:
        best = float("inf")
        for _ in range(args.repeat):
            copies = [doc.copy() for doc in inputs[name]]
            start = time.process_time()
            if hasattr(component, "pipe"):  # in batches, as nlp.pipe runs it
                list(component.pipe(copies, batch_size=args.batch_size))
            else:
                for doc in copies:
                    component(doc)
            best = min(best, time.process_time() - start)
        seconds[name] = best
    model = sum(s for name, s in seconds.items() if not name.startswith("kg_"))
    ours = sum(s for name, s in seconds.items() if name.startswith("kg_"))
    rows = [[name, f"{1000 * s / len(texts):.2f}", f"{s / model:.3f}"] for name, s in seconds.items()]
    rows += [["model (reference)", f"{1000 * model / len(texts):.2f}", "1.000"],
             ["kg_* together", f"{1000 * ours / len(texts):.2f}", f"{ours / model:.3f}"]]
    print(table(rows, ["component", "ms/article", "share"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
