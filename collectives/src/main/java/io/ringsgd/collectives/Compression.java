package io.ringsgd.collectives;

import java.util.Locale;

/**
 * Lossy compression of AllReduce traffic, run by the compressed ring: every hop decodes, reduces and re-encodes; the
 * all-gather forwards the final encoded chunks so that every rank decodes the same bytes and ends bit-identical.
 * The caller owns error feedback (adding back what quantization lost, as the trainers do).
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
    INT8("int8", 1);

    private final String cliName;
    private final int bytesPerElement;

    Compression(String cliName, int bytesPerElement) {
        this.cliName = cliName;
        this.bytesPerElement = bytesPerElement;
    }

    /** The name used on the command line and in output ("fp16"). */
    public String cliName() {
        return cliName;
    }

    /** Approximate bytes per float on the wire. */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** Parses "none", "fp16" or "int8". */
    public static Compression parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c.cliName.equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + s + "': use none, fp16 or int8");
    }
}
