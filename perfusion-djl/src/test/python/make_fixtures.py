#!/usr/bin/env python3
"""Writes the parity fixtures of perfusion-djl: a tiny random-weight Stable Diffusion 1.x in diffusers' formats and
reference inputs and outputs computed by transformers and diffusers.

Reference only: the SDK, its tests and CI never run this. Regenerate with
    python3 -m venv /tmp/pyref && /tmp/pyref/bin/pip install torch diffusers transformers safetensors
    /tmp/pyref/bin/python perfusion-djl/src/test/python/make_fixtures.py
The output is deterministic for a given library version; versions used are recorded in reference/versions.json.
`make_fixtures.py scheduler-options` rewrites only reference/scheduler_options.* (settings beyond SD 1.x's defaults:
Karras sigmas, DDIM's eta and clipping, zero terminal SNR, cosine and given betas, DPM-Solver's variants).
`make_fixtures.py python-files` rewrites perfusion-core's fixtures/python: a concept file and F16/BF16/F32 tensors
written by the safetensors library itself, with their values as JSON, so the Java reader is checked against files
it did not write.
"""
import json
import os
import random
import sys
from collections import Counter
from pathlib import Path

import regex
import torch
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[1] / "resources" / "fixtures"
MODEL = ROOT / "tiny-sd"
REF = ROOT / "reference"
CORE_PYTHON = Path(__file__).resolve().parents[4] / "perfusion-core" / "src" / "test" / "resources" / "fixtures" / "python"

CLIP_PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


SUBJECTS = ["cat", "dog", "chair", "armchair", "sofa", "teapot", "robot", "house", "tree", "car", "bird", "flower",
            "mountain", "lake", "city", "girl", "boy", "woman", "man", "horse", "cup", "lamp", "book", "guitar"]
STYLES = ["a photo of", "a painting of", "an oil painting of", "a sketch of", "a watercolor of", "a render of",
          "a close-up photo of", "a picture of", "a drawing of"]
PLACES = ["on the beach", "in the snow", "on a sofa", "in a forest", "at night", "under the rain", "in space",
          "on a table", "in the city", "next to a window", "in the style of van gogh", "on the moon"]
ADJECTIVES = ["red", "blue", "green", "small", "big", "fluffy", "old", "shiny", "wooden", "golden", "happy", "sleepy"]


def corpus(rng):
    lines = []
    for _ in range(3000):
        lines.append(f"{rng.choice(STYLES)} a {rng.choice(ADJECTIVES)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}")
    lines.append("The quick brown fox jumps over the lazy dog. Sleeping, running, jumping; painted, photographed!")
    return lines


def train_bpe(lines, merges_wanted):
    enc = bytes_to_unicode()
    words = Counter()
    for line in lines:
        for token in CLIP_PATTERN.findall(line.lower()):
            chars = [enc[b] for b in token.encode("utf-8")]
            chars[-1] = chars[-1] + "</w>"
            words[tuple(chars)] += 1
    merges = []
    for _ in range(merges_wanted):
        pairs = Counter()
        for word, count in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        best = max(sorted(pairs), key=lambda p: pairs[p])
        merges.append(best)
        merged = Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += count
        words = merged
    return merges


def write_tokenizer(folder, rng):
    from transformers import CLIPTokenizer
    folder.mkdir(parents=True, exist_ok=True)
    merges = train_bpe(corpus(rng), 700)
    base = list(bytes_to_unicode().values())
    vocab = base + [v + "</w>" for v in base] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False),
                                       encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n",
                                       encoding="utf-8")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
               "pad_token": "<|endoftext|>"}
    (folder / "special_tokens_map.json").write_text(json.dumps(special), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        dict(special, model_max_length=77, tokenizer_class="CLIPTokenizer")), encoding="utf-8")
    return CLIPTokenizer.from_pretrained(folder)


def tokenizer_prompts(rng):
    fixed = [
        "a photo of a cat", "A PHOTO OF A CAT", "  leading and trailing spaces  ", "tabs\tand\nnewlines\r\nhere",
        "non\u00a0breaking\u2003spaces\u3000and\u2028separators", "it's, they're, we've, I'm, you'll, he'd",
        "IT'S LOUD", "numbers 1234567890 and 3.14159 and -42", "punctuation!!! ??? ... ,,, ;;; :::", "a--b__c~~d",
        "email@example.com http://example.com/path?x=1&y=2", "#hashtag @mention $100 50% ^caret* (parens) [b] {c}",
        "quotes \"double\" 'single' `back`", "curly \u201cquotes\u201d and \u2018apostrophes\u2019",
        "caf\u00e9 na\u00efve r\u00e9sum\u00e9", "cafe\u0301 decomposed", "stra\u00dfe GROSS \u1e9e", "\u0130stanbul",
        "\u0395\u039b\u039b\u0397\u039d\u0399\u039a\u0391 \u039f\u0394\u039f\u03a3", "\u043a\u043e\u0448\u043a\u0430 \u041a\u041e\u0428\u041a\u0410",
        "\u732b\u304c\u5bdd\u3066\u3044\u308b", "\u4e2d\u6587\u5b57\u7b26 mixed English", "\ud55c\uad6d\uc5b4 \ubb38\uc7a5",
        "\u0642\u0637\u0629 \u0639\u0631\u0628\u064a\u0629", "\u05d7\u05ea\u05d5\u05dc", "\u0939\u093f\u0928\u094d\u0926\u0940",
        "emoji \U0001f431\U0001f3a8\U0001f680 cat", "flags \U0001f1eb\U0001f1f7 and zwj \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\ufb01ne \ufb02ow ligatures", "\uff46\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \uff11\uff12\uff13",
        "control\x00chars\x07here\x1b[0m", "zero\u200bwidth\u200cjoin\u200d", "\ufeffbom at start",
        "<|startoftext|> literal start", "literal end <|endoftext|> inside", "<|ENDOFTEXT|> upper",
        "html &amp; entities &lt;b&gt;", "back\\slash and /slash", "", " ", "\n\n", "a", "!",
        "sleeping sleeping sleeping painted painting painter", "The Quick Brown Fox Jumps Over The Lazy Dog",
        "x" * 300, "word " * 120, "1 2 3 4 5 6 7 8 9 0 " * 10, "\u00bd \u2153 \u2154 \u00b2 \u00b3 \u2460 \u2169",
        "\u00c5ngstr\u00f6m \u212b", "\u03a3\u03a3 \u03c3\u03c2 \u039f\u0394\u039f\u03a3.", "tab\there\u000bvtab\u000cff",
    ]
    words = ("cat dog chair armchair sofa photo painting of a the in on at red blue fluffy sleeping running "
             "mountain lake city night rain snow style van gogh monet 4k hdr ultra detailed, highly; sharp! focus? "
             "caf\u00e9 \u732b \U0001f431 it's don't 2023 3d 8-bit").split()
    generated = []
    for _ in range(200):
        n = rng.randint(1, 30)
        seps = [" ", " ", " ", ", ", "  ", "\t", "-", ""]
        generated.append("".join(rng.choice(words) + rng.choice(seps) for _ in range(n)))
    return fixed + generated


def perturb(model, scale=0.05):
    """Random init leaves norms at 1/0 and some biases at 0; perturb every parameter so each one is tested."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))
    return model


TEXT_PROMPTS = ["a photo of a cat", "an oil painting of a fluffy dog on the beach", "", "x" * 300,
                "a red chair, a blue sofa"]


def write_text_encoder(tokenizer):
    from transformers import CLIPTextConfig, CLIPTextModel
    config = CLIPTextConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                            num_attention_heads=4, max_position_embeddings=77, hidden_act="quick_gelu",
                            projection_dim=32, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                            pad_token_id=tokenizer.pad_token_id)
    model = perturb(CLIPTextModel(config)).eval()
    model.save_pretrained(MODEL / "text_encoder", safe_serialization=True)
    ids = torch.tensor([tokenizer(p, padding="max_length", max_length=77, truncation=True)["input_ids"]
                        for p in TEXT_PROMPTS], dtype=torch.int64)
    with torch.no_grad():
        hidden = model(input_ids=ids).last_hidden_state
    save_file({"input_ids": ids, "last_hidden_state": hidden.contiguous()}, REF / "text_encoder.safetensors")
    return model


SD1_SCHEDULER = {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": False, "skip_prk_steps": True,
                 "steps_offset": 1, "trained_betas": None, "clip_sample": False}


def write_schedulers():
    import diffusers
    from diffusers.schedulers import scheduling_euler_ancestral_discrete as ancestral_module
    folder = MODEL / "scheduler"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scheduler_config.json").write_text(json.dumps(SD1_SCHEDULER, indent=1), encoding="utf-8")
    classes = {"DDIM": diffusers.DDIMScheduler, "EULER": diffusers.EulerDiscreteScheduler,
               "EULER_ANCESTRAL": diffusers.EulerAncestralDiscreteScheduler,
               "DPM_SOLVER_PP_2M": diffusers.DPMSolverMultistepScheduler}
    cases = []
    for kind in classes:
        for spacing in [None, "leading", "linspace", "trailing"]:
            for steps in [10, 25]:
                cases.append((kind, spacing, steps, "epsilon"))
        cases.append((kind, None, 12, "v_prediction"))
    tensors, meta = {}, []
    shape = (1, 4, 2, 2)
    for n, (kind, spacing, steps, prediction) in enumerate(cases):
        config = dict(SD1_SCHEDULER, prediction_type=prediction)
        if spacing is not None:
            config["timestep_spacing"] = spacing
        scheduler = classes[kind].from_config(config)
        scheduler.set_timesteps(steps)
        name = f"case{n}"
        x = torch.randn(shape, dtype=torch.float32) * float(scheduler.init_noise_sigma)
        outputs = torch.randn((len(scheduler.timesteps),) + shape, dtype=torch.float32)
        noise = torch.randn((len(scheduler.timesteps),) + shape, dtype=torch.float32)
        pending = list(noise)
        original_randn = ancestral_module.randn_tensor
        ancestral_module.randn_tensor = lambda *a, **k: pending.pop(0)
        scaled, trajectory, sample = [], [], x
        try:
            for i, t in enumerate(scheduler.timesteps):
                scaled.append(scheduler.scale_model_input(sample, t))
                sample = scheduler.step(outputs[i], t, sample).prev_sample
                trajectory.append(sample)
        finally:
            ancestral_module.randn_tensor = original_randn
        tensors[name + ".timesteps"] = scheduler.timesteps.to(torch.float64)
        if hasattr(scheduler, "sigmas") and kind != "DDIM":
            tensors[name + ".sigmas"] = scheduler.sigmas.to(torch.float64)
        tensors[name + ".init_noise_sigma"] = torch.tensor([float(scheduler.init_noise_sigma)], dtype=torch.float64)
        tensors[name + ".x"] = x
        tensors[name + ".outputs"] = outputs
        tensors[name + ".noise"] = noise
        tensors[name + ".scaled"] = torch.stack(scaled)
        tensors[name + ".trajectory"] = torch.stack(trajectory)
        meta.append({"name": name, "kind": kind, "timestep_spacing": spacing, "steps": steps,
                     "prediction_type": prediction})
    save_file({k: v.contiguous() for k, v in tensors.items()}, REF / "schedulers.safetensors")
    (REF / "schedulers.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"schedulers: {len(cases)} cases")


SD1_BETAS = [float(b) for b in (torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float32) ** 2)]

# Scheduler settings beyond SD 1.x's defaults that this port honours: (case, sampler kind, config changes, steps, eta).
SCHEDULER_OPTIONS = [
    ("dpm_karras_10", "DPM_SOLVER_PP_2M_KARRAS", {"use_karras_sigmas": True}, 10, 0.0),
    ("dpm_karras_25", "DPM_SOLVER_PP_2M_KARRAS", {"use_karras_sigmas": True}, 25, 0.0),
    ("dpm_karras_config", "DPM_SOLVER_PP_2M", {"use_karras_sigmas": True}, 20, 0.0),
    ("euler_karras_10", "EULER_KARRAS", {"use_karras_sigmas": True}, 10, 0.0),
    ("euler_karras_25", "EULER_KARRAS", {"use_karras_sigmas": True}, 25, 0.0),
    ("euler_karras_bounds", "EULER_KARRAS", {"use_karras_sigmas": True, "sigma_min": 0.1, "sigma_max": 10.0}, 12,
     0.0),
    ("ddim_eta_half", "DDIM", {}, 10, 0.5),
    ("ddim_eta_one", "DDIM", {"timestep_spacing": "trailing"}, 8, 1.0),
    ("ddim_clip", "DDIM", {"clip_sample": True, "clip_sample_range": 0.5, "set_alpha_to_one": True}, 10, 0.0),
    ("ddim_defaults", "DDIM", {"clip_sample": None, "set_alpha_to_one": None, "steps_offset": None}, 10, 0.0),
    ("ddim_sample", "DDIM", {"prediction_type": "sample"}, 10, 0.0),
    ("ddim_zero_snr", "DDIM", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing",
                               "prediction_type": "v_prediction"}, 10, 0.0),
    ("euler_zero_snr", "EULER", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing",
                                 "prediction_type": "v_prediction"}, 10, 0.0),
    ("ancestral_zero_snr", "EULER_ANCESTRAL", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing",
                                               "prediction_type": "v_prediction"}, 10, 0.0),
    ("dpm_zero_snr", "DPM_SOLVER_PP_2M", {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing",
                                          "prediction_type": "v_prediction"}, 10, 0.0),
    ("ddim_trained_betas", "DDIM", {"trained_betas": [b * (1.0 + 0.1 * ((i % 7) - 3) / 3) for i, b in
                                                      enumerate(SD1_BETAS)]}, 10, 0.0),
    ("dpm_cosine", "DPM_SOLVER_PP_2M", {"beta_schedule": "squaredcos_cap_v2", "lambda_min_clipped": -5.1}, 12, 0.0),
    ("euler_cosine", "EULER", {"beta_schedule": "squaredcos_cap_v2"}, 12, 0.0),
    ("dpm_order1", "DPM_SOLVER_PP_2M", {"solver_order": 1}, 10, 0.0),
    ("dpm_heun", "DPM_SOLVER_PP_2M", {"solver_type": "heun"}, 10, 0.0),
    ("dpm_sigma_min_short", "DPM_SOLVER_PP_2M", {"final_sigmas_type": "sigma_min"}, 10, 0.0),
    ("dpm_sigma_min_long", "DPM_SOLVER_PP_2M", {"final_sigmas_type": "sigma_min"}, 20, 0.0),
    ("dpm_sigma_min_no_lower", "DPM_SOLVER_PP_2M", {"final_sigmas_type": "sigma_min", "lower_order_final": False},
     10, 0.0),
    ("dpm_euler_at_final", "DPM_SOLVER_PP_2M", {"final_sigmas_type": "sigma_min", "euler_at_final": True}, 20, 0.0),
    ("dpm_sample", "DPM_SOLVER_PP_2M", {"prediction_type": "sample"}, 10, 0.0),
    ("euler_sigma_min", "EULER", {"final_sigmas_type": "sigma_min"}, 10, 0.0),
]


def write_scheduler_options():
    """Reference trajectories of the scheduler settings above (reference/scheduler_options.*)."""
    import diffusers
    from diffusers.schedulers import scheduling_euler_ancestral_discrete as ancestral_module
    classes = {"DDIM": diffusers.DDIMScheduler, "EULER": diffusers.EulerDiscreteScheduler,
               "EULER_KARRAS": diffusers.EulerDiscreteScheduler,
               "EULER_ANCESTRAL": diffusers.EulerAncestralDiscreteScheduler,
               "DPM_SOLVER_PP_2M": diffusers.DPMSolverMultistepScheduler,
               "DPM_SOLVER_PP_2M_KARRAS": diffusers.DPMSolverMultistepScheduler}
    generator = torch.Generator().manual_seed(77)
    tensors, meta = {}, []
    shape = (1, 4, 2, 2)
    for name, kind, changes, steps, eta in SCHEDULER_OPTIONS:
        config = {k: v for k, v in dict(SD1_SCHEDULER, **changes).items() if v is not None}
        scheduler = classes[kind].from_config(config)
        scheduler.set_timesteps(steps)
        x = torch.randn(shape, generator=generator, dtype=torch.float32) * float(scheduler.init_noise_sigma)
        outputs = torch.randn((len(scheduler.timesteps),) + shape, generator=generator, dtype=torch.float32)
        noise = torch.randn((len(scheduler.timesteps),) + shape, generator=generator, dtype=torch.float32)
        pending = list(noise)
        original_randn = ancestral_module.randn_tensor
        ancestral_module.randn_tensor = lambda *a, **k: pending.pop(0)
        scaled, trajectory, sample = [], [], x
        try:
            for i, t in enumerate(scheduler.timesteps):
                scaled.append(scheduler.scale_model_input(sample, t))
                if kind == "DDIM":
                    sample = scheduler.step(outputs[i], t, sample, eta=eta, variance_noise=noise[i]).prev_sample
                else:
                    sample = scheduler.step(outputs[i], t, sample).prev_sample
                trajectory.append(sample)
        finally:
            ancestral_module.randn_tensor = original_randn
        tensors[name + ".timesteps"] = scheduler.timesteps.to(torch.float64)
        if hasattr(scheduler, "sigmas") and kind != "DDIM":
            tensors[name + ".sigmas"] = scheduler.sigmas.to(torch.float64)
        tensors[name + ".init_noise_sigma"] = torch.tensor([float(scheduler.init_noise_sigma)], dtype=torch.float64)
        tensors[name + ".x"] = x
        tensors[name + ".outputs"] = outputs
        tensors[name + ".noise"] = noise
        tensors[name + ".scaled"] = torch.stack(scaled)
        tensors[name + ".trajectory"] = torch.stack(trajectory)
        meta.append({"name": name, "kind": kind, "config": config, "steps": steps, "eta": eta})
    save_file({k: v.contiguous() for k, v in tensors.items()}, REF / "scheduler_options.safetensors")
    (REF / "scheduler_options.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"scheduler options: {len(meta)} cases")


def write_unet():
    from diffusers import UNet2DConditionModel
    unet = UNet2DConditionModel(
        sample_size=16, in_channels=4, out_channels=4, block_out_channels=(8, 16, 16), layers_per_block=2,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=4, norm_num_groups=4)
    unet = perturb(unet).eval()
    unet.save_pretrained(MODEL / "unet", safe_serialization=True)
    latents = torch.randn(2, 4, 16, 16)
    timesteps = torch.tensor([981, 37], dtype=torch.int64)
    encodings = torch.randn(2, 77, 32)
    odd = torch.randn(1, 4, 10, 6, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        noise = unet(latents, timesteps, encoder_hidden_states=encodings).sample
        odd_noise = unet(odd, timesteps[:1], encoder_hidden_states=encodings[:1]).sample
    weights = torch.randn(noise.shape, generator=torch.Generator().manual_seed(11))
    text = encodings.clone().requires_grad_(True)
    (unet(latents, timesteps, encoder_hidden_states=text).sample * weights).sum().backward()
    save_file({"latents": latents, "timesteps": timesteps, "encoder_hidden_states": encodings,
               "noise_pred": noise.contiguous(), "odd_latents": odd, "odd_noise_pred": odd_noise.contiguous(),
               "loss_weights": weights, "encoder_hidden_states_grad": text.grad.contiguous()},
              REF / "unet.safetensors")
    return unet


def write_vae():
    from diffusers import AutoencoderKL
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
                        up_block_types=("UpDecoderBlock2D",) * 2, block_out_channels=(8, 16), layers_per_block=2,
                        latent_channels=4, norm_num_groups=4, sample_size=16)
    vae = perturb(vae).eval()
    vae.save_pretrained(MODEL / "vae", safe_serialization=True)
    image = torch.rand(2, 3, 16, 16) * 2 - 1
    latents = torch.randn(2, 4, 8, 8)
    with torch.no_grad():
        posterior = vae.encode(image).latent_dist
        decoded = vae.decode(latents).sample
    save_file({"image": image, "mean": posterior.mean.contiguous(), "logvar": posterior.logvar.contiguous(),
               "latents": latents, "decoded": decoded.contiguous()}, REF / "vae.safetensors")
    return vae


PIPELINE_CASES = [
    {"name": "dpm", "scheduler": "DPM_SOLVER_PP_2M", "prompt": "a photo of a fluffy cat on a sofa",
     "negative_prompt": "blurry", "steps": 6, "guidance": 7.5},
    {"name": "euler", "scheduler": "EULER", "prompt": "an oil painting of a red chair",
     "negative_prompt": "", "steps": 5, "guidance": 5.0},
    {"name": "ddim_unguided", "scheduler": "DDIM", "prompt": "a dog", "negative_prompt": "", "steps": 4,
     "guidance": 1.0},
]


def write_pipeline(tokenizer, text_encoder, unet, vae):
    import diffusers
    classes = {"DDIM": diffusers.DDIMScheduler, "EULER": diffusers.EulerDiscreteScheduler,
               "DPM_SOLVER_PP_2M": diffusers.DPMSolverMultistepScheduler}
    pipe = diffusers.StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                             scheduler=diffusers.PNDMScheduler.from_config(SD1_SCHEDULER),
                                             safety_checker=None, feature_extractor=None,
                                             requires_safety_checker=False)
    pipe.save_pretrained(MODEL, safe_serialization=True)
    (MODEL / "scheduler" / "scheduler_config.json").write_text(json.dumps(SD1_SCHEDULER, indent=1), encoding="utf-8")
    tensors = {}
    for case in PIPELINE_CASES:
        pipe.scheduler = classes[case["scheduler"]].from_config(SD1_SCHEDULER)
        latents = torch.randn(1, 4, 4, 4)
        with torch.no_grad():
            final = pipe(case["prompt"], negative_prompt=case["negative_prompt"] or None, height=32, width=32,
                         num_inference_steps=case["steps"], guidance_scale=case["guidance"], latents=latents,
                         output_type="latent").images
            image = pipe.vae.decode(final / pipe.vae.config.scaling_factor).sample
        tensors[case["name"] + ".initial_latents"] = latents
        tensors[case["name"] + ".final_latents"] = final.contiguous()
        tensors[case["name"] + ".image"] = image.contiguous()
    save_file(tensors, REF / "pipeline.safetensors")
    (REF / "pipeline.json").write_text(json.dumps(PIPELINE_CASES, indent=1), encoding="utf-8")


RESNET_LDM = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
              "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}


def ldm_unet_key(key, config):
    """The original (LDM) name of a diffusers UNet key; written independently of the SDK's Java mapping and
    checked below against diffusers' own single-file loader."""
    n = config["layers_per_block"]
    parts = key.split(".")

    def resnet(rest):
        return ".".join([RESNET_LDM.get(rest[0], rest[0])] + rest[1:])

    if parts[0] == "time_embedding":
        return "time_embed." + {"linear_1": "0", "linear_2": "2"}[parts[1]] + "." + parts[2]
    if parts[0] == "conv_in":
        return "input_blocks.0.0." + parts[1]
    if parts[0] == "conv_norm_out":
        return "out.0." + parts[1]
    if parts[0] == "conv_out":
        return "out.2." + parts[1]
    if parts[0] == "down_blocks":
        i, kind, j, rest = int(parts[1]), parts[2], int(parts[3]), parts[4:]
        if kind == "resnets":
            return f"input_blocks.{1 + i * (n + 1) + j}.0." + resnet(rest)
        if kind == "attentions":
            return f"input_blocks.{1 + i * (n + 1) + j}.1." + ".".join(rest)
        return f"input_blocks.{(i + 1) * (n + 1)}.0.op." + ".".join(rest[1:])
    if parts[0] == "mid_block":
        kind, j, rest = parts[1], int(parts[2]), parts[3:]
        if kind == "resnets":
            return f"middle_block.{2 * j}." + resnet(rest)
        return "middle_block.1." + ".".join(rest)
    if parts[0] == "up_blocks":
        i, kind, j, rest = int(parts[1]), parts[2], int(parts[3]), parts[4:]
        cross = config["up_block_types"][i].startswith("CrossAttn")
        if kind == "resnets":
            return f"output_blocks.{i * (n + 1) + j}.0." + resnet(rest)
        if kind == "attentions":
            return f"output_blocks.{i * (n + 1) + j}.1." + ".".join(rest)
        return f"output_blocks.{i * (n + 1) + n}.{2 if cross else 1}.conv." + ".".join(rest[1:])
    raise KeyError(key)


def ldm_vae_key(key, config):
    levels = len(config["block_out_channels"])
    parts = key.split(".")
    side, rest = parts[0], parts[1:]
    if side in ("quant_conv", "post_quant_conv"):
        return key
    simple = {"conv_in": "conv_in", "conv_out": "conv_out", "conv_norm_out": "norm_out"}
    if rest[0] in simple:
        return f"{side}.{simple[rest[0]]}." + ".".join(rest[1:])

    def block(sub):
        return ".".join(["nin_shortcut" if sub[0] == "conv_shortcut" else sub[0]] + sub[1:])

    if rest[0] == "mid_block":
        if rest[1] == "resnets":
            return f"{side}.mid.block_{int(rest[2]) + 1}." + block(rest[3:])
        names = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out": "proj_out"}
        tail = rest[3:] if rest[3] != "to_out" else ["to_out"] + rest[5:]
        return f"{side}.mid.attn_1.{names[tail[0]]}." + ".".join(tail[1:])
    i = int(rest[1])
    level = i if side == "encoder" else levels - 1 - i
    direction = "down" if side == "encoder" else "up"
    if rest[2] == "resnets":
        return f"{side}.{direction}.{level}.block.{rest[3]}." + block(rest[4:])
    sampler = "downsample" if side == "encoder" else "upsample"
    return f"{side}.{direction}.{level}.{sampler}.conv." + ".".join(rest[5:])


def write_single_file(text_encoder, unet, vae):
    from diffusers import StableDiffusionPipeline
    state = {}
    for k, v in unet.state_dict().items():
        state["model.diffusion_model." + ldm_unet_key(k, unet.config)] = v
    for k, v in vae.state_dict().items():
        ldm = ldm_vae_key(k, vae.config)
        if ".mid.attn_1." in ldm and ldm.rsplit(".", 1)[1] == "weight" and v.dim() == 2:
            v = v[:, :, None, None]
        state["first_stage_model." + ldm] = v
    for k, v in text_encoder.state_dict().items():
        state["cond_stage_model.transformer.text_model." + k] = v
    state["model_ema.decay"] = torch.tensor(0.9999)
    path = ROOT / "tiny-sd-single-file.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, path)
    loaded = StableDiffusionPipeline.from_single_file(str(path), config=str(MODEL), local_files_only=True,
                                                      safety_checker=None)
    for name, module in [("unet", unet), ("vae", vae), ("text_encoder", text_encoder)]:
        theirs = getattr(loaded, name).state_dict()
        for k, v in module.state_dict().items():
            assert torch.equal(theirs[k], v), f"diffusers reads {name}.{k} differently from the written file"
    print(f"single file: {len(state)} tensors, checked against diffusers' from_single_file")


def main():
    rng = random.Random(1234)
    torch.manual_seed(1234)
    REF.mkdir(parents=True, exist_ok=True)
    tokenizer = write_tokenizer(MODEL / "tokenizer", rng)
    prompts = tokenizer_prompts(rng)
    cases = []
    for p in prompts:
        cases.append({"text": p,
                      "ids": tokenizer(p, add_special_tokens=False)["input_ids"],
                      "model_input": tokenizer(p, padding="max_length", max_length=77, truncation=True)["input_ids"]})
    with_added = tokenizer.__class__.from_pretrained(MODEL / "tokenizer")
    with_added.add_tokens(["<tom>"])
    added_cases = []
    for p in ["a photo of <tom> on a sofa", "<tom><tom> twins", "<TOM> upper", "x<tom>y", "a <tom>, sleeping"]:
        added_cases.append({"text": p, "ids": with_added(p, add_special_tokens=False)["input_ids"]})
    text_encoder = write_text_encoder(tokenizer)
    write_schedulers()
    unet = write_unet()
    vae = write_vae()
    write_pipeline(tokenizer, text_encoder, unet, vae)
    write_single_file(text_encoder, unet, vae)
    import transformers
    import diffusers
    (REF / "tokenizer_cases.json").write_text(json.dumps({
        "vocab_size": len(tokenizer), "pad_id": tokenizer.pad_token_id, "cases": cases,
        "added_token": "<tom>", "added_token_id": with_added.convert_tokens_to_ids("<tom>"),
        "added_cases": added_cases}, ensure_ascii=False, indent=0), encoding="utf-8")
    (REF / "versions.json").write_text(json.dumps({
        "python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
        "diffusers": diffusers.__version__}, indent=1), encoding="utf-8")
    print(f"tokenizer: {len(tokenizer)} tokens, {len(cases)} prompts")


def write_python_files():
    """A concept file and mixed-precision tensors written by safetensors.torch.save_file, with expected values."""
    CORE_PYTHON.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(77)
    tensors = {
        "f16": (torch.randn(3, 5, generator=g) * 40).half(),
        "bf16": (torch.randn(7, generator=g) * 1e3).bfloat16(),
        "f32": torch.randn(2, 2, 2, generator=g),
        "f16_extremes": torch.tensor([65504.0, -65504.0, 6.1035e-05, 5.96e-08, 0.0, -0.0]).half(),
    }
    save_file(tensors, str(CORE_PYTHON / "tensors.safetensors"), metadata={"written_by": "safetensors.torch"})
    (CORE_PYTHON / "tensors.json").write_text(json.dumps(
        {name: {"shape": list(t.shape), "values": t.float().flatten().tolist()} for name, t in tensors.items()},
        indent=0), encoding="utf-8")

    hidden, width = 32, 16
    layers = ["down_blocks.0.attentions.0.transformer_blocks.0.attn2",
              "up_blocks.1.attentions.2.transformer_blocks.0.attn2"]
    concept = {
        "token_embedding": torch.randn(hidden, generator=g).half(),
        "concept_input": torch.randn(hidden, generator=g).half(),
        "supercategory_input": torch.randn(hidden, generator=g).half(),
    }
    for i, layer in enumerate(layers):
        concept["value_target." + layer] = torch.randn(width * (i + 1), generator=g).half()
    concept["key_target." + layers[0]] = torch.randn(width, generator=g).half()
    concept["key_target." + layers[1]] = torch.randn(width * 2, generator=g)
    meta = {
        "format": "perfusion-concept", "format_version": "2", "name": "teapot", "supercategory": "teapot",
        "base_model": "0123456789abcdef0123456789abcdef", "layers": json.dumps(layers),
        "key_gate": json.dumps({"bias": 0.6, "temperature": 0.15}),
        "value_gate": json.dumps({"bias": 0.75, "temperature": 0.1}),
        "training": json.dumps({"steps": "400", "written_by": "safetensors.torch"}), "method": "trained-keys",
    }
    save_file(concept, str(CORE_PYTHON / "teapot.perfusion"), metadata=meta)
    (CORE_PYTHON / "teapot.json").write_text(json.dumps(
        {"metadata": meta, "tensors": {name: t.float().tolist() for name, t in concept.items()}}, indent=0),
        encoding="utf-8")
    print(f"python-written files in {CORE_PYTHON}")


if __name__ == "__main__":
    if sys.argv[1:] == ["scheduler-options"]:
        write_scheduler_options()
    elif sys.argv[1:] == ["python-files"]:
        write_python_files()
    else:
        main()
