package io.ringsgd.collectives;

import java.util.Locale;

/**
 * Lossy compression of AllReduce traffic. FP16 and INT8 run the compressed ring: every hop decodes, reduces and
 * re-encodes; the all-gather forwards the final encoded chunks so that every rank decodes the same bytes and ends
 * bit-identical. The low-bit formats ({@link #TWO_BIT}, {@link #ONE_BIT}) would multiply their error if partial sums
 * were re-quantised at every hop, so they take the encoded all-gather instead ({@link #gathersEncodings()}): every
 * rank encodes its own vector once, gathers every rank's encoding and decodes and sums them in rank order. The caller
 * owns error feedback (adding back what quantization lost, as the trainers do).
 */
public enum Compression {
    /** Full precision. */
    NONE("none", 4),
    /**
     * IEEE half precision: 2 bytes per float. Magnitudes above 65504 become infinite and below 2^-24 zero; NaNs and
     * infinities stay what they are, element by element.
     */
    FP16("fp16", 2),
    /**
     * 8-bit linear quantization with one float scale per block of 256 elements: ~1 byte per float. A NaN or an
     * infinity anywhere in a block makes its scale NaN or infinite, so the whole block (256 elements) arrives as NaN.
     */
    INT8("int8", 1),
    /**
     * Ternary levels {-s, 0, +s} in 2 bits per element with one float scale per block of 256 elements (68 bytes per
     * 256 floats, 15.1x fewer bytes): see {@code TernaryCodec}. Taken by the encoded all-gather.
     */
    TWO_BIT("2bit", 0),
    /**
     * The sign in 1 bit per element with the block's mean magnitude as the scale, one float per block of 256
     * elements (36 bytes per 256 floats, 28.4x fewer bytes): see {@code SignCodec}. Taken by the encoded all-gather.
     */
    ONE_BIT("1bit", 0),
    /**
     * Sparse ternary levels, entropy coded: per bucket of 512 elements only those above a threshold (λ times the
     * bucket's mean magnitude, {@link CollectiveOptions#withTernaryThreshold}) become ±s, and the zero runs between
     * them are Golomb-Rice coded, so the length depends on the values (well below a bit per element at the default
     * λ; at most about 2.1 bits): see {@code SparseTernaryCodec}. Taken by the encoded all-gather, which gathers the
     * lengths first.
     */
    TERNARY("ternary", 0);

    private final String cliName;
    private final int bytesPerElement;

    Compression(String cliName, int bytesPerElement) {
        this.cliName = cliName;
        this.bytesPerElement = bytesPerElement;
    }

    /**
     * Whether the AllReduce gathers every rank's encoding and sums the decodings locally (the low-bit formats) rather
     * than running the compressed ring, whose hops re-encode partial sums.
     */
    public boolean gathersEncodings() {
        return this == TWO_BIT || this == ONE_BIT || this == TERNARY;
    }

    /** The name used on the command line and in output ("fp16"). */
    public String cliName() {
        return cliName;
    }

    /** Whole bytes per float on the wire, rounded down (0 for the formats below a byte per element). */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** Parses "none", "fp16", "int8", "2bit", "1bit" or "ternary". */
    public static Compression parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c.cliName.equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + s + "': use none, fp16, int8, 2bit, 1bit or ternary");
    }
}
