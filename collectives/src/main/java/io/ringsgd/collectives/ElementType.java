package io.ringsgd.collectives;

/** The element types a collective moves: the two floating-point types users reduce, and raw bytes for encoded payloads. */
public enum ElementType {
    /** 32-bit IEEE 754. */
    FLOAT(4, "float"),
    /** 64-bit IEEE 754. */
    DOUBLE(8, "double"),
    /** Opaque bytes (compressed payloads, staging); never reduced. */
    BYTE(1, "byte");

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

    /** The element type with wire code {@code code} (its ordinal), or null if none. */
    public static ElementType ofCode(int code) {
        ElementType[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
