import type { RecordKind, SplitName } from '../../records/types';

/**
 * The generated `dataset.py` of the PyTorch export: `torch.utils.data.Dataset`s over the files beside it, with
 * collate functions, ready for a `DataLoader`. It imports without torch (the text dataset is then a plain
 * sequence; the tokenised one says torch is needed) and needs nothing beyond the standard library otherwise:
 * the safetensors files are read by a few lines of `struct` + `json` here (the `safetensors` package is used
 * when installed, for its memory mapping).
 */
export function datasetScript(input: { kind: RecordKind | 'mixed'; splits: readonly SplitName[]; tokenizer?: string; padId?: number }): string {
  const { kind, splits, tokenizer, padId } = input;
  const py = (v: unknown) => (v === undefined ? 'None' : JSON.stringify(v));
  return `"""PyTorch datasets over this Bright Run export (generated; edit freely).

Files beside this script:
  {split}.jsonl         one record per line: ${kind === 'chat' ? '{"id", "messages": [{"role", "content"}]}' : kind === 'instruction' ? '{"id", "instruction", "input", "output"}' : kind === 'completion' ? '{"id", "text"}' : 'the columns of each record kind'}
  {split}.safetensors   (when a tokenizer was chosen) flat int32 input_ids / labels, uint8 attention_mask,
                        int64 offsets: record i is [offsets[i], offsets[i+1]); labels are -100 on prompt tokens

Usage:
  from dataset import dataloader
  for batch in dataloader("train", batch_size=8, tokenized=True):
      outputs = model(**batch)   # input_ids, attention_mask, labels: right-padded LongTensors
"""
import json
import os
import struct

try:
    import torch
    from torch.utils.data import DataLoader, Dataset
except ImportError:  # the text dataset still works as a plain sequence without torch
    torch = None
    DataLoader = None
    Dataset = object

HERE = os.path.dirname(os.path.abspath(__file__))
KIND = ${py(kind)}
SPLITS = ${py(splits)}
TOKENIZER = ${py(tokenizer)}
PAD_ID = ${py(padId)}
IGNORE_INDEX = -100


class TextDataset(Dataset):
    """The records of {split}.jsonl as dicts. Only line offsets are kept in memory (one int per record)."""

    def __init__(self, split="train", root=HERE):
        self.path = os.path.join(root, split + ".jsonl")
        self.offsets = []
        position = 0
        with open(self.path, "rb") as f:
            for line in f:
                if line.strip():
                    self.offsets.append(position)
                position += len(line)
        self._file = None

    def __len__(self):
        return len(self.offsets)

    def __getitem__(self, index):
        if self._file is None:  # opened lazily, so each DataLoader worker gets its own handle
            self._file = open(self.path, "rb")
        self._file.seek(self.offsets[index])
        return json.loads(self._file.readline().decode("utf-8"))


def collate_text(batch):
    """A list of records -> a dict of lists (column -> values), e.g. {"id": [...], "messages": [...]}."""
    return {key: [row[key] for row in batch] for key in batch[0]} if batch else {}


_DTYPES = {"I32": ("i", 4), "I64": ("q", 8), "U8": ("B", 1)}


def read_safetensors_header(path):
    """(header dict, start of the data area) of a safetensors file, checked, with the standard library only."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length).decode("utf-8"))
    size = os.path.getsize(path)
    end = 0
    for name, info in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, stop = info["data_offsets"]
        count = 1
        for dim in info["shape"]:
            count *= dim
        if begin != end or stop - begin != count * _DTYPES[info["dtype"]][1]:
            raise ValueError("%s: tensor %s has inconsistent offsets" % (path, name))
        end = stop
    if 8 + length + end != size:
        raise ValueError("%s: data does not end at the end of the file" % path)
    return header, 8 + length


def load_tensors(path):
    """name -> 1-D torch tensor of a safetensors file (the safetensors package when installed, else read here)."""
    if torch is None:
        raise ImportError("torch is needed for the tokenized dataset: pip install torch")
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    header, start = read_safetensors_header(path)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    kinds = {"I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, stop = info["data_offsets"]
        count = (stop - begin) // _DTYPES[info["dtype"]][1]
        out[name] = torch.frombuffer(data, dtype=kinds[info["dtype"]], count=count, offset=start + begin)
    return out


class TokenizedDataset(Dataset):
    """Pre-tokenised records of {split}.safetensors: dicts of input_ids / attention_mask / labels LongTensors."""

    def __init__(self, split="train", root=HERE):
        tensors = load_tensors(os.path.join(root, split + ".safetensors"))
        self.input_ids = tensors["input_ids"]
        self.attention_mask = tensors["attention_mask"]
        self.labels = tensors["labels"]
        self.offsets = tensors["offsets"].tolist()

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, index):
        begin, end = self.offsets[index], self.offsets[index + 1]
        return {
            "input_ids": self.input_ids[begin:end].long(),
            "attention_mask": self.attention_mask[begin:end].long(),
            "labels": self.labels[begin:end].long(),
        }


def collate_tokens(batch, pad_id=None):
    """Right-pads a batch to its longest sequence: input_ids with pad_id, attention_mask 0, labels -100."""
    pad = PAD_ID if pad_id is None else pad_id
    width = max(len(row["input_ids"]) for row in batch)
    out = {}
    for key, fill in (("input_ids", pad), ("attention_mask", 0), ("labels", IGNORE_INDEX)):
        padded = torch.full((len(batch), width), fill, dtype=torch.long)
        for i, row in enumerate(batch):
            padded[i, : len(row[key])] = row[key]
        out[key] = padded
    return out


def dataloader(split="train", batch_size=8, tokenized=None, shuffle=None, **kwargs):
    """A DataLoader over a split: tokenised when {split}.safetensors exists (or tokenized=True), else text."""
    if DataLoader is None:
        raise ImportError("torch is needed for a DataLoader: pip install torch")
    if tokenized is None:
        tokenized = os.path.exists(os.path.join(HERE, split + ".safetensors"))
    dataset = TokenizedDataset(split) if tokenized else TextDataset(split)
    collate = collate_tokens if tokenized else collate_text
    return DataLoader(dataset, batch_size=batch_size, shuffle=(split == "train") if shuffle is None else shuffle, collate_fn=collate, **kwargs)


if __name__ == "__main__":
    for name in SPLITS:
        print(name, len(TextDataset(name)), "records")
`;
}
