package io.ringsgd.collectives.codec;

import io.ringsgd.collectives.Compression;

/** The codec of each {@link Compression}. */
public final class Codecs {
    private static final Codec FP16 = new Fp16Codec();
    private static final Codec INT8 = new Int8Codec();

    private Codecs() {
    }

    /** The codec for {@code c}; NONE has none. */
    public static Codec of(Compression c) {
        switch (c) {
            case FP16:
                return FP16;
            case INT8:
                return INT8;
            default:
                throw new IllegalArgumentException("compression " + c.cliName() + " has no codec");
        }
    }
}
