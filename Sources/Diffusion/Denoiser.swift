// The spatio-temporal transformer denoiser (shape letters: see ModelConfig.swift).
//
//   x [B,T,C,H,W], mask [B,T], t [B]
//   → patches [B,T,N,C·P·P + 1]            (the +1 is the frame's context-mask channel)
//     or, with a stem: GELU(conv3×3([x, mask])) [B,T,H,W,S] → patches [B,T,N,S·P·P]
//   → tokens  [B,T,N,D] + pos.space[N,D] + pos.time[T,1,D]
//   → depth × Block(tokens, c)             c = time MLP of the noise-level embedding
//   → final adaLN, linear → [B,T,N,C·P·P] → unpatchify → v̂ [B,T,C,H,W]
//     or, with a head: linear → [B,T,N,F·P·P] → unpatchify [B,T,H,W,F] → conv3×3(GELU(·)) → v̂
//
// The stem lets a token see past its patch's edge and the head lets neighbouring patches
// agree on the pixels along their seam; both are 3×3 convolutions at full resolution.
//
// A block is pre-LayerNorm with adaLN-Zero (DiT): for each sublayer s (spatial
// attention, temporal attention, MLP — or one joint attention and the MLP),
//   x ← x + gate_s · s(LN(x)·(1 + scale_s) + shift_s),
// with (shift, scale, gate) for all sublayers from one linear map of SiLU(c). That map
// and the output layer are zero-initialized, so every block starts as the identity
// and the model starts by predicting 0.

import Tensor

/// Multi-head self-attention over one axis of the token grid [B, T, N, D].
public struct SelfAttention: ParameterVisitable {
    public var qkv: Linear
    public var proj: Linear
    public let heads: Int

    public init(width: Int, heads: Int, rng: inout RNG) {
        qkv = Linear(width, 3 * width, rng: &rng)
        proj = Linear(width, width, rng: &rng)
        self.heads = heads
    }

    /// x [B, T, N, D] → [B, T, N, D], attending within a frame (space), across frames at
    /// one position (time), or over the whole clip (spaceTime). Heads are read straight
    /// out of the packed projection (Tensor.attention(packed:)).
    public func callAsFunction(_ x: Tensor, over axis: AttentionAxis) -> Tensor {
        proj(Tensor.attention(packed: qkv(x), heads: heads, over: axis))
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        qkv.visit(join(prefix, "qkv"), f)
        proj.visit(join(prefix, "proj"), f)
    }

    /// What `visit` lists for an attention of width `width`, without allocating it.
    static func parameterShapes(width: Int, prefix: String) -> [ParameterShape] {
        Linear.parameterShapes(width, 3 * width, prefix: join(prefix, "qkv"))
            + Linear.parameterShapes(width, width, prefix: join(prefix, "proj"))
    }
}

/// One transformer block with adaLN-Zero modulation.
public struct Block: ParameterVisitable {
    /// The attention sublayers in order: [spatial, temporal] or [joint].
    public var attentions: [SelfAttention]
    public var mlp: MLP
    /// SiLU(c) [B, D] → (shift, scale, gate) per sublayer [B, 3·S·D]; zero-initialized.
    public var modulation: Linear
    public let kind: AttentionKind

    public init(_ config: ModelConfig, rng: inout RNG) {
        kind = config.attention
        let count = kind == .factorized ? 2 : 1
        attentions = (0..<count).map { _ in SelfAttention(width: config.width, heads: config.heads, rng: &rng) }
        mlp = MLP(width: config.width, hidden: config.width * config.mlpRatio, rng: &rng)
        modulation = Linear(config.width, 3 * (count + 1) * config.width, .zero, rng: &rng)
    }

    /// x [B, T, N, D], cAct = SiLU(c) [B, D] (one noise level per clip) or [B·T, D] (one per
    /// frame) → [B, T, N, D]
    public func callAsFunction(_ x: Tensor, _ cAct: Tensor) -> Tensor {
        let d = x.shape[3]
        let mod = modulation(cAct)
        func chunk(_ i: Int) -> Tensor { mod.slice(axis: 1, (i * d)..<((i + 1) * d)) }  // [B or B·T, D]
        let axes: [AttentionAxis] = kind == .factorized ? [.space, .time] : [.spaceTime]
        // The modulation applies to every token of a row of cAct: a clip's, or a frame's.
        let rows = x.reshaped([cAct.shape[0], x.count / (cAct.shape[0] * d), d])
        func gated(_ x: Tensor, _ gate: Tensor, _ y: Tensor) -> Tensor {
            Tensor.gatedResidual(x.reshaped(rows.shape), gate: gate, y.reshaped(rows.shape)).reshaped(x.shape)
        }
        func modulated(_ x: Tensor, _ s: Int) -> Tensor {
            modulate(x.reshaped(rows.shape), shift: chunk(3 * s), scale: chunk(3 * s + 1)).reshaped(x.shape)
        }
        var x = x
        for (s, attention) in attentions.enumerated() {
            x = gated(x, chunk(3 * s + 2), attention(modulated(x, s), over: axes[s]))
        }
        let s = attentions.count
        return gated(x, chunk(3 * s + 2), mlp(modulated(x, s)))
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        let names = Self.attentionNames(kind)
        for i in attentions.indices { attentions[i].visit(join(prefix, names[i]), f) }
        mlp.visit(join(prefix, "mlp"), f)
        modulation.visit(join(prefix, "modulation"), f)
    }

    /// The attention sublayers' names, in order.
    static func attentionNames(_ kind: AttentionKind) -> [String] { kind == .factorized ? ["spatial", "temporal"] : ["joint"] }

    /// What `visit` lists for a block of `config`, without allocating it.
    static func parameterShapes(_ config: ModelConfig, prefix: String) -> [ParameterShape] {
        let d = config.width, names = attentionNames(config.attention)
        return names.flatMap { SelfAttention.parameterShapes(width: d, prefix: join(prefix, $0)) }
            + MLP.parameterShapes(width: d, hidden: d * config.mlpRatio, prefix: join(prefix, "mlp"))
            + Linear.parameterShapes(d, 3 * (names.count + 1) * d, prefix: join(prefix, "modulation"))
    }
}

/// The denoiser: predicts v for a window of frames at noise level t.
public struct Denoiser: ParameterVisitable {
    public private(set) var config: ModelConfig
    public var embed: Linear
    public var posSpace: Tensor   // [N, D]
    public var posTime: Tensor    // [T, D]
    public var timeIn: Linear
    public var timeOut: Linear
    public var blocks: [Block]
    public var finalModulation: Linear  // SiLU(c) → (shift, scale) [B, 2D]; zero-initialized
    public var finalLinear: Linear      // [D → C·P·P]; zero-initialized

    /// A freshly initialized model. Position embeddings ~ N(0, 0.02²).
    public init(_ config: ModelConfig, rng: inout RNG) {
        self.config = config
        let d = config.width
        embed = Linear(config.patchInputs, d, rng: &rng)
        posSpace = .randn([config.tokensPerFrame, d], std: 0.02, rng: &rng)
        posTime = .randn([config.frames, d], std: 0.02, rng: &rng)
        timeIn = Linear(d, d, rng: &rng)
        timeOut = Linear(d, d, rng: &rng)
        blocks = (0..<config.depth).map { _ in Block(config, rng: &rng) }
        finalModulation = Linear(d, 2 * d, .zero, rng: &rng)
        finalLinear = Linear(d, config.patchOutputs, .zero, rng: &rng)
    }

    /// x [B,T,C,H,W] (context frames clean, the rest noisy), mask [B·T] (1 = context
    /// frame), t noise levels in [0, 1]: [B] (one per clip) or [B·T] (one per frame) → v̂ [B,T,C,H,W].
    public func callAsFunction(_ x: Tensor, mask: [Float], t: [Float]) -> Tensor {
        let c = config
        let (b, frames) = (x.shape[0], x.shape[1])
        precondition(x.shape == [b, c.frames, c.channels, c.size, c.size],
                     "denoiser input \(x.shape) does not match [B, \(c.frames), \(c.channels), \(c.size), \(c.size)]")
        precondition(mask.count == b * frames && (t.count == b || t.count == b * frames),
                     "mask needs B·T = \(b * frames) entries and t B = \(b) or B·T")
        let (p, g, n, d) = (c.patch, c.size / c.patch, c.tokensPerFrame, c.width)
        func maskChannel(_ perFrame: Int) -> Tensor {
            Tensor(shape: [b, frames, perFrame, 1]) { out in
                for i in 0..<(b * frames) { for j in 0..<perFrame { out[i * perFrame + j] = mask[i] } }
            }
        }
        // Patchify: [B,T,C,g,P,g,P] → [B,T,g,g,C,P,P] → [B,T,N,C·P·P], then the mask channel.
        let patches = x.reshaped([b, frames, c.channels, g, p, g, p]).permuted([0, 1, 3, 5, 2, 4, 6])
            .reshaped([b, frames, n, c.channels * p * p])
        let tokensIn = Tensor.concatenate([patches, maskChannel(n)], axis: 3)
        var h = embed(tokensIn)
        h = h + posSpace + posTime.reshaped([frames, 1, d])
        let cEmb = timeOut(timeIn(noiseLevelEmbedding(t, dim: d)).silu())
        let cAct = cEmb.silu()
        for block in blocks { h = block(h, cAct) }
        let mod = finalModulation(cAct)
        let shift = mod.slice(axis: 1, 0..<d)
        let scale = mod.slice(axis: 1, d..<(2 * d))
        let rows = [t.count, b * frames * n / t.count, d]
        let out = finalLinear(modulate(h.reshaped(rows), shift: shift, scale: scale))
            .reshaped([b, frames, n, c.patchOutputs])
        // Unpatchify: [B,T,g,g,C,P,P] → [B,T,C,g,P,g,P] → [B,T,C,H,W].
        return out.reshaped([b, frames, g, g, c.channels, p, p]).permuted([0, 1, 4, 2, 5, 3, 6])
            .reshaped([b, frames, c.channels, c.size, c.size])
    }

    /// The same weights on a window of `frames` ≥ T frames: the first T rows of the time
    /// embedding are kept and every later frame starts from the last one's (a fine-tune
    /// then tells them apart). Every other weight is shared by all frames.
    public func lengthened(to frames: Int) -> Denoiser {
        precondition(frames >= config.frames, "a window is lengthened, not shortened: \(config.frames) → \(frames)")
        var c = config
        c.frames = frames
        var out = self
        out.config = c
        let (t, d) = (config.frames, config.width)
        let old = posTime.values
        out.posTime = Tensor(shape: [frames, d]) { v in
            for f in 0..<frames { for j in 0..<d { v[f * d + j] = old[min(f, t - 1) * d + j] } }
        }
        return out
    }

    public mutating func visit(_ prefix: String, _ f: (String, inout Tensor) -> Void) {
        embed.visit(join(prefix, "embed"), f)
        f(join(prefix, "pos.space"), &posSpace)
        f(join(prefix, "pos.time"), &posTime)
        timeIn.visit(join(prefix, "time.fc1"), f)
        timeOut.visit(join(prefix, "time.fc2"), f)
        for i in blocks.indices { blocks[i].visit(join(prefix, "blocks.\(i)"), f) }
        finalModulation.visit(join(prefix, "final.modulation"), f)
        finalLinear.visit(join(prefix, "final.linear"), f)
    }
}

extension ModelConfig {
    /// The denoiser's parameters by dotted name and shape, in `Denoiser.visit`'s order,
    /// without building the model: what a checkpoint of this config must hold.
    public var parameterShapes: [ParameterShape] {
        let d = width
        var out = Linear.parameterShapes(patchInputs, d, prefix: "embed")
        out += [("pos.space", [tokensPerFrame, d]), ("pos.time", [frames, d])]
        out += Linear.parameterShapes(d, d, prefix: "time.fc1") + Linear.parameterShapes(d, d, prefix: "time.fc2")
        for i in 0..<depth { out += Block.parameterShapes(self, prefix: "blocks.\(i)") }
        out += Linear.parameterShapes(d, 2 * d, prefix: "final.modulation")
        out += Linear.parameterShapes(d, patchOutputs, prefix: "final.linear")
        return out
    }

    /// The number of parameter elements (`parameterShapes`' sizes summed).
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }
}
