package io.ringsgd.pipesgd.train;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a parameter vector's bits (each float's raw IEEE bits, little-endian), to show that replicas are
 * bit-identical across ranks and that a resumed run ends where an uninterrupted one does.
 */
public final class ParameterDigest {
    private ParameterDigest() {
    }

    /** Lower-case hex SHA-256 of {@code v}. */
    public static String sha256(float[] v) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        byte[] chunk = new byte[4096];
        int fill = 0;
        for (float f : v) {
            int bits = Float.floatToRawIntBits(f);
            chunk[fill++] = (byte) bits;
            chunk[fill++] = (byte) (bits >>> 8);
            chunk[fill++] = (byte) (bits >>> 16);
            chunk[fill++] = (byte) (bits >>> 24);
            if (fill == chunk.length) {
                md.update(chunk, 0, fill);
                fill = 0;
            }
        }
        md.update(chunk, 0, fill);
        StringBuilder sb = new StringBuilder(64);
        for (byte b : md.digest()) {
            sb.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
