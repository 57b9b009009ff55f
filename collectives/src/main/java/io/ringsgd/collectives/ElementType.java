package io.ringsgd.collectives;

/**
 * The element types a collective moves: the two floating-point types, and the integer types {@code int},
 * {@code long} and {@code byte} (which also carries encoded payloads). Integer reductions use Java's two's-complement
 * arithmetic: SUM and PROD wrap around on overflow exactly as {@code a + b} and {@code a * b} (for bytes,
 * {@code (byte) (a + b)}), MIN and MAX are signed; so every rank gets the same bits whatever order the algorithm
 * combines them in.
 */
public enum ElementType {
    /** 32-bit IEEE 754. */
    FLOAT(4, "float"),
    /** 64-bit IEEE 754. */
    DOUBLE(8, "double"),
    /** Signed 8-bit integer (also: opaque bytes of compressed payloads and staging). */
    BYTE(1, "byte"),
    /** Signed 32-bit integer. */
    INT(4, "int"),
    /** Signed 64-bit integer. */
    LONG(8, "long");

    private final int bytes;
    private final String label;

    ElementType(int bytes, String label) {
        this.bytes = bytes;
        this.label = label;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Lower-case name used in messages ("float"). */
    public String label() {
        return label;
    }

    /** True for {@link #INT}, {@link #LONG} and {@link #BYTE}: the types bitwise and logical ops apply to. */
    public boolean isInteger() {
        return this == INT || this == LONG || this == BYTE;
    }

    /** The element type with wire code {@code code} (its ordinal), or null if none. */
    public static ElementType ofCode(int code) {
        ElementType[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
