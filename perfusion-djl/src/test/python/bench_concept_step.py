#!/usr/bin/env python3
"""Peer benchmark: one Perfusion concept-training step at Stable Diffusion 1.5's shapes (random weights), in this
port and in diffusers, side by side in one run.

    python3 perfusion-djl/src/test/python/bench_concept_step.py [--turns N] [--warmup-seconds S] [--size 512]

Needs torch, transformers and diffusers (see make_fixtures.py) and a built project (mvn -DskipTests install). The
pipeline (CLIP ViT-L text encoder, SD 1.5 UNet and VAE, random weights, the fixture tokenizer) is written once to a
cache folder (about 4.3 GB).

The step is the same on both sides: the concept's token embedding and one value target per cross-attention layer are
trained (keys locked to W_k i_s), so each step encodes the prompt twice (with the concept, and with the
supercategory word for the running average of i_s), updates the running averages, draws a latent from the VAE's
encoding of a photo, runs the UNet with the gated rank-one edit in its 16 cross-attention layers and their
attention computed explicitly for the attention loss, adds the masked diffusion loss, backpropagates to the
embedding through the text encoder and to the targets, and takes an Adam step. Batch 1, no accumulation.

The Java side (ConceptStepBenchmark) runs in a child process; the sides take turns of three steps, the first of each
turn not counted (on the Java side it also encodes the photos and starts the averages). Prints a Markdown table of
the median step, the median over turns of the sides' ratio, and the mean process CPU time per step.
"""
import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_unet import CACHE, MODULE, JavaSide, java_classpath, lockstep, mean_of, median_of, turn_ratio  # noqa: E402

FIXTURE = MODULE / "src/test/resources/fixtures/tiny-sd"
GATE_BIAS, GATE_TEMPERATURE = 0.75, 0.10  # Gate.TRAINING
EMA_DECAY = 0.99
ATTENTION_WEIGHT = 0.05


def sd15_pipeline():
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel
    folder = CACHE / "sd15-random-pipeline"
    if (folder / "model_index.json").exists():
        return folder
    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                 num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu",
                                 projection_dim=768)).save_pretrained(folder / "text_encoder", safe_serialization=True)
    UNet2DConditionModel(sample_size=64, cross_attention_dim=768, attention_head_dim=8,
                         block_out_channels=(320, 640, 1280, 1280), layers_per_block=2).save_pretrained(
        folder / "unet", safe_serialization=True)
    AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, sample_size=512,
                  down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                  block_out_channels=(128, 256, 512, 512), layers_per_block=2).save_pretrained(
        folder / "vae", safe_serialization=True)
    shutil.copytree(FIXTURE / "tokenizer", folder / "tokenizer")
    shutil.copytree(FIXTURE / "scheduler", folder / "scheduler")
    index = json.loads((FIXTURE / "model_index.json").read_text())
    (folder / "model_index.json").write_text(json.dumps(index, indent=1))
    return folder


class GatedEditProcessor:
    """A cross-attention processor with Perfusion's gated rank-one edit of K and V and the attention loss."""

    def __init__(self, side, name):
        self.side = side
        self.name = name

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        s = self.side
        context = encoder_hidden_states
        p = context @ s.probe
        gate = torch.sigmoid((p / s.energy - GATE_BIAS) / GATE_TEMPERATURE)
        key = attn.to_k(context) - p[..., None] * s.key_removal[self.name] + gate[..., None] * s.locked_key[self.name]
        value = (attn.to_v(context) - p[..., None] * s.value_removal[self.name]
                 + gate[..., None] * s.value_target[self.name])
        batch, tokens, _ = hidden_states.shape
        heads = attn.heads
        query = attn.to_q(hidden_states)
        dim = query.shape[-1] // heads
        q = query.view(batch, tokens, heads, dim).transpose(1, 2)
        k = key.view(batch, -1, heads, dim).transpose(1, 2)
        v = value.view(batch, -1, heads, dim).transpose(1, 2)
        scale = dim ** -0.5
        scores = q @ k.transpose(-1, -2) * scale
        weights = scores.softmax(-1)
        super_scores = q @ s.locked_key[self.name].view(1, heads, dim, 1) * scale
        at = s.at.view(batch, 1, 1, -1)
        swapped = (scores * (1 - at) + super_scores * at).detach().softmax(-1)
        s.attention_losses.append(((weights * at).sum(-1) - (swapped * at).sum(-1)).square().mean())
        out = (weights @ v).transpose(1, 2).reshape(batch, tokens, heads * dim)
        return attn.to_out[1](attn.to_out[0](out))


class DiffusersSide:
    """The same step on transformers' CLIPTextModel and diffusers' UNet and VAE, in this process."""

    def __init__(self, folder, size):
        from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
        from transformers import CLIPTextModel, CLIPTokenizer
        self.tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer")
        self.text = CLIPTextModel.from_pretrained(folder / "text_encoder").eval().requires_grad_(False)
        self.unet = UNet2DConditionModel.from_pretrained(folder / "unet").eval().requires_grad_(False)
        self.vae = AutoencoderKL.from_pretrained(folder / "vae").eval().requires_grad_(False)
        self.alphas = DDPMScheduler.from_pretrained(folder / "scheduler").alphas_cumprod
        generator = torch.Generator().manual_seed(7)
        photos = torch.rand(3, 3, size, size, generator=generator) * 2 - 1
        with torch.no_grad():
            self.posterior = self.vae.encode(photos).latent_dist
        latent = size // 8
        self.masks = (torch.rand(3, 1, latent, latent, generator=generator) < 0.5).float()
        ids = self.tokenizer("a photo of a cat", padding="max_length", max_length=77, truncation=True,
                             return_tensors="pt").input_ids
        cat = self.tokenizer(" cat", add_special_tokens=False).input_ids
        self.ids = ids
        self.position = int((ids[0] == cat[0]).nonzero()[0])
        self.at = torch.zeros(1, 77)
        self.at[0, self.position] = 1
        width = self.text.config.hidden_size
        self.inverse = torch.eye(width) / width
        self.embedding = self.text.get_input_embeddings().weight[cat[0]].clone().requires_grad_(True)
        self.layers = {name[:-len(".processor")]: module for name, module in self.unet.attn_processors.items()
                       if name.endswith("attn2.processor")}
        self.attn = {name: self.unet.get_submodule(name) for name in self.layers}
        self.value_target = {}
        self.i_star = None
        self.i_super = None
        self.updates = 0
        processors = {}
        for name in self.unet.attn_processors:
            base = name[:-len(".processor")]
            processors[name] = GatedEditProcessor(self, base) if base in self.layers else \
                self.unet.attn_processors[name]
        self.unet.set_attn_processor(processors)
        self.optimisers = None
        self.generator = torch.Generator().manual_seed(11)
        causal = torch.full((77, 77), float("-inf")).triu(1)
        self.causal = causal[None, None]

    def encode(self, row):
        tokens = self.text.get_input_embeddings()(self.ids)
        if row is not None:
            tokens = torch.cat([tokens[:, :self.position], row.view(1, 1, -1), tokens[:, self.position + 1:]], 1)
        model = self.text.text_model
        hidden = model.embeddings(inputs_embeds=tokens)
        hidden = model.encoder(inputs_embeds=hidden, attention_mask=None,
                               causal_attention_mask=self.causal).last_hidden_state
        return model.final_layer_norm(hidden)

    def average(self, old, new):
        return new.clone() if old is None else EMA_DECAY * old + (1 - EMA_DECAY) * new

    def steps(self, kind, count):
        return [self.step() for _ in range(count)]

    def step(self):
        wall, cpu = time.perf_counter(), time.process_time()
        context = self.encode(self.embedding)
        with torch.no_grad():
            plain = self.encode(None)
        self.i_star = self.average(self.i_star, context[0, self.position].detach())
        self.i_super = self.average(self.i_super, plain[0, self.position])
        if self.optimisers is None:
            for name, attn in self.attn.items():
                self.value_target[name] = (attn.to_v.weight @ self.i_super).detach().clone().requires_grad_(True)
            self.optimisers = (torch.optim.Adam([self.embedding], lr=0.006),
                               torch.optim.Adam(list(self.value_target.values()), lr=0.03))
        self.probe = self.inverse @ self.i_star
        self.energy = self.i_star @ self.probe
        self.key_removal = {n: a.to_k.weight @ self.i_star / self.energy for n, a in self.attn.items()}
        self.value_removal = {n: a.to_v.weight @ self.i_star / self.energy for n, a in self.attn.items()}
        self.locked_key = {n: a.to_k.weight @ self.i_super for n, a in self.attn.items()}
        self.attention_losses = []
        view = int(torch.randint(0, 3, (1,), generator=self.generator))
        t = int(torch.randint(0, len(self.alphas), (1,), generator=self.generator))
        latents = (self.posterior.mean[view:view + 1]
                   + self.posterior.std[view:view + 1] * torch.randn(self.posterior.mean[:1].shape,
                                                                     generator=self.generator))
        noise = torch.randn(latents.shape, generator=self.generator)
        a = self.alphas[t]
        noisy = a.sqrt() * latents + (1 - a).sqrt() * noise
        predicted = self.unet(noisy, torch.tensor([t]), encoder_hidden_states=context).sample
        mask = self.masks[view:view + 1]
        diffusion = ((predicted - noise).square() * mask).sum() / (mask.sum() * predicted.shape[1])
        loss = diffusion + ATTENTION_WEIGHT * torch.stack(self.attention_losses).mean()
        loss.backward()
        for optimiser in self.optimisers:
            optimiser.step()
            optimiser.zero_grad()
        float(loss)
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    def close(self):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3, help="turns per side, three steps each (two counted)")
    parser.add_argument("--warmup-seconds", type=float, default=5.0)
    parser.add_argument("--size", type=int, default=512, help="photo side in pixels (latents are size/8)")
    args = parser.parse_args()
    if os.environ.get("MALLOC_ARENA_MAX") != "1":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_ARENA_MAX": "1"})
    torch.set_num_threads(os.cpu_count())
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = sd15_pipeline()
    classpath = java_classpath()
    # a Java command runs one training of count + 1 steps and answers for all but the first
    java = JavaSide("dev.perfusion.djl.bench.ConceptStepBenchmark", [folder, args.size], classpath,
                    command=lambda kind, count: f"train {count + 1}")
    sides = [java, DiffusersSide(folder, args.size)]
    try:
        ours, peer = lockstep(sides, "training", args.turns, 3, args.warmup_seconds)
    finally:
        for side in sides:
            side.close()
    import diffusers
    import transformers
    print(f"\nCPU: {platform.processor() or platform.machine()}, {os.cpu_count()} threads; torch {torch.__version__}, "
          f"transformers {transformers.__version__}, diffusers {diffusers.__version__}; {args.turns} turns of three "
          f"steps per side (the first of each not counted), after {args.warmup_seconds:g} s of warm-up; "
          f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', 'unset')}\n")
    print("| model | photos | step | perfusion-djl ms | diffusers ms | ratio (median over turns) "
          "| perfusion-djl CPU ms (mean) | diffusers CPU ms (mean) |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| SD 1.5 shapes, random | {args.size}x{args.size} | concept training | {median_of(ours, 0):.1f} "
          f"| {median_of(peer, 0):.1f} | {turn_ratio(ours, peer):.3f} | {mean_of(ours, 1):.1f} "
          f"| {mean_of(peer, 1):.1f} |")


if __name__ == "__main__":
    sys.exit(main())
