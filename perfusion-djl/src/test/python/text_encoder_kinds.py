"""How much a world model's text encoder tells kinds apart, with transformers as the reference implementation.

For captions "a {colour} {kind} {place}" over every kind, eight colours and four places, it splits the variance of
the encoder's output at four readouts (the kind's own token, the token after it, the end token, the mean over the
caption) into the shares explained by the kind, the colour and the place. The UNet reads these encodings through
cross-attention; a kind that explains a few percent of them is a weak signal to draw it by.

    python3 text_encoder_kinds.py ~/.cache/perfusion/embedded/<checksum> [another model folder ...]
"""
import sys

import torch
from transformers import CLIPTextModel, CLIPTokenizer

KINDS = ["star", "ring", "heart", "box", "flower", "fish", "house", "tree", "cat"]
COLOURS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "white"]
PLACES = ["in the center on grass", "at the top on sand", "on the left in the sky", "at the bottom at night"]


def shares(folder):
    tokenizer = CLIPTokenizer.from_pretrained(folder + "/tokenizer")
    encoder = CLIPTextModel.from_pretrained(folder + "/text_encoder").eval()
    captions = [(k, c, p) for k in KINDS for c in COLOURS for p in PLACES]
    ids = tokenizer([f"a {c} {k} {p}" for k, c, p in captions], padding="max_length",
                    max_length=tokenizer.model_max_length, return_tensors="pt").input_ids
    with torch.no_grad():
        hidden = encoder(ids).last_hidden_state
    end = (ids == tokenizer.eos_token_id).int().argmax(1)
    rows = torch.arange(len(captions))
    within = torch.arange(ids.shape[1])[None, :] <= end[:, None]
    readouts = {
        "kind token": hidden[rows, 3],
        "next token": hidden[rows, 4],
        "end token": hidden[rows, end],
        "caption mean": (hidden * within[..., None]).sum(1) / within.sum(1, keepdim=True),
    }
    for name, v in readouts.items():
        total = ((v - v.mean(0)) ** 2).sum(1).mean()
        out = []
        for factor in range(3):
            groups = {}
            for i, caption in enumerate(captions):
                groups.setdefault(caption[factor], []).append(i)
            means = torch.stack([v[g].mean(0) for g in groups.values()])
            out.append((((means - v.mean(0)) ** 2).sum(1).mean() / total).item())
        print(f"| {folder} | {name} | {out[0]:.2f} | {out[1]:.2f} | {out[2]:.2f} |")


if __name__ == "__main__":
    print("| model | readout | kind | colour | place |")
    print("| --- | --- | --- | --- | --- |")
    for model in sys.argv[1:]:
        shares(model)
