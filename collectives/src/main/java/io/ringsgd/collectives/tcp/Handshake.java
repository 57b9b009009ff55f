package io.ringsgd.collectives.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Challenge-response proof of the job secret on every new connection: the accepting rank sends a random nonce, the
 * connecting side answers with HMAC-SHA256(secret, nonce | purpose | rank | worldSize). The secret itself never
 * crosses the network, and a reply cannot be replayed on another connection.
 *
 * <pre>
 * acceptor → connector: int magic 'RSGH' | short version | 16-byte nonce
 * connector → acceptor: int magic | short version | byte purpose | int rank | int worldSize | 32-byte mac
 * acceptor → connector: byte status (0 ok, 1 refused) | UTF reason if refused
 * </pre>
 */
final class Handshake {
    static final byte REGISTER = 1;
    static final byte DATA = 2;
    static final byte CONTROL = 3;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a connecting peer claimed and proved. */
    record Hello(byte purpose, int rank, int worldSize) {
    }

    /** Why a connection was refused; {@link #getMessage()} is logged and sent back. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * The accepting rank closed the connection before it sent its challenge: it had too many handshakes in
     * progress (a flood of connections), or it is exiting. Connecting ranks retry until the setup deadline.
     */
    static final class Busy extends IOException {
        private static final long serialVersionUID = 1L;

        Busy(Throwable cause) {
            super("the rank closed the connection before its challenge (busy with other connections, or exiting)",
                    cause);
        }
    }

    private Handshake() {
    }

    /** The accepting side: challenges, verifies, answers; throws {@link Refused} (after telling the peer) or IO. */
    static Hello accept(DataInputStream in, DataOutputStream out, byte[] secret, int worldSize) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        out.writeInt(Frames.HANDSHAKE_MAGIC);
        out.writeShort(Frames.VERSION);
        out.write(nonce);
        out.flush();
        int magic = in.readInt();
        if (magic != Frames.HANDSHAKE_MAGIC) {
            throw refuse(out, String.format("not a ringsgd peer (first bytes 0x%08x)", magic));
        }
        short version = in.readShort();
        if (version != Frames.VERSION) {
            throw refuse(out, "protocol version " + version + ", this rank speaks " + Frames.VERSION
                    + ": all ranks must run the same ringsgd version");
        }
        byte purpose = in.readByte();
        int rank = in.readInt();
        int size = in.readInt();
        byte[] mac = new byte[32];
        in.readFully(mac);
        if (purpose != REGISTER && purpose != DATA && purpose != CONTROL) {
            throw refuse(out, "unknown connection purpose " + purpose);
        }
        if (!MessageDigest.isEqual(mac, mac(secret, nonce, purpose, rank, size))) {
            throw refuse(out, "it does not know the job secret (RINGSGD_SECRET differs)");
        }
        if (size != worldSize) {
            throw refuse(out, "it claims WORLD_SIZE=" + size + " but this job has " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw refuse(out, "it claims rank " + rank + ", outside 0.." + (worldSize - 1));
        }
        out.writeByte(0);
        out.flush();
        return new Hello(purpose, rank, size);
    }

    private static Refused refuse(DataOutputStream out, String reason) {
        try {
            out.writeByte(1);
            out.writeUTF(reason);
            out.flush();
        } catch (IOException ignored) {
            // The peer may already be gone; the refusal is logged either way.
        }
        return new Refused(reason);
    }

    /** The connecting side: answers the challenge; throws {@link Refused} with the acceptor's reason. */
    static void connect(DataInputStream in, DataOutputStream out, byte[] secret, byte purpose, int rank,
            int worldSize) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (java.io.EOFException e) {
            throw new Busy(e);
        }
        if (magic != Frames.HANDSHAKE_MAGIC) {
            throw new IOException(String.format("the peer is not a ringsgd rank (first bytes 0x%08x)", magic));
        }
        short version = in.readShort();
        if (version != Frames.VERSION) {
            throw new IOException("the peer speaks protocol version " + version + ", this rank " + Frames.VERSION
                    + ": all ranks must run the same ringsgd version");
        }
        byte[] nonce = new byte[16];
        in.readFully(nonce);
        out.writeInt(Frames.HANDSHAKE_MAGIC);
        out.writeShort(Frames.VERSION);
        out.writeByte(purpose);
        out.writeInt(rank);
        out.writeInt(worldSize);
        out.write(mac(secret, nonce, purpose, rank, worldSize));
        out.flush();
        if (in.readByte() != 0) {
            throw new Refused(in.readUTF());
        }
    }

    private static byte[] mac(byte[] secret, byte[] nonce, byte purpose, int rank, int size) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            // HMAC keys may not be empty; a job without a secret still gets per-connection proofs.
            m.init(new SecretKeySpec(secret.length == 0 ? new byte[] {0} : secret, "HmacSHA256"));
            m.update(nonce);
            m.update(ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(purpose).putInt(rank).putInt(size)
                    .array());
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }
}
