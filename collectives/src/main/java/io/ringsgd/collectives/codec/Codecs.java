package io.ringsgd.collectives.codec;

import io.ringsgd.collectives.Compression;

/** The codec of each {@link Compression}. */
public final class Codecs {

    private Codecs() {
    }

    /**
     * A new codec for {@code c}; NONE has none. Codecs keep small staging arrays, so an instance must not be shared
     * between threads: create one per owner (a communicator's progress thread, a worker) and reuse it.
     */
    public static Codec create(Compression c) {
        switch (c) {
            case FP16:
                return new Fp16Codec();
            case INT8:
                return new Int8Codec();
            case TWO_BIT:
                return new TernaryCodec();
            case ONE_BIT:
                return new SignCodec();
            case TERNARY:
                return new SparseTernaryCodec();
            default:
                throw new IllegalArgumentException("compression " + c.cliName() + " has no codec");
        }
    }

    /**
     * Bytes on the wire for {@code n} floats encoded with {@code c} (4·n for NONE; for TERNARY, whose length depends on
     * the values, the most it can take).
     */
    public static long encodedBytes(Compression c, int n) {
        switch (c) {
            case FP16:
                return Fp16Codec.bytes(n);
            case INT8:
                return Int8Codec.bytes(n);
            case TWO_BIT:
                return TernaryCodec.bytes(n);
            case ONE_BIT:
                return SignCodec.bytes(n);
            case TERNARY:
                return SparseTernaryCodec.bytes(n);
            default:
                return 4L * n;
        }
    }
}
