package io.ringsgd.launch.mpj;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mpi.Intracomm;
import mpi.MPI;

/**
 * The control path of the MPJ transport (abort and stall reports), kept out of MPJ Express: after a process dies,
 * niodev blocks sends to it and the sends queued behind them, so messages about the failure could not get through.
 * Each rank binds a UDP socket; the addresses and a random per-job key are exchanged over MPJ when the transport
 * starts (while every rank is alive). A datagram never blocks the sender; every datagram is authenticated with
 * HMAC-SHA256 under the job key, so nothing outside the job can inject an abort; the few that matter are repeated,
 * so the loss of one is harmless.
 */
final class UdpControlChannel implements AutoCloseable {
    private static final int ADDRESS_BYTES = 128;
    private static final int MAC_BYTES = 32;
    private static final int MAGIC = 0x55475352; // "RSGU"

    private final int rank;
    private final DatagramChannel channel;
    private final SocketAddress[] peers;
    private final Mac mac;
    private final ByteBuffer out = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer in = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] expected = new byte[MAC_BYTES];
    private int lastFrom = -1;

    private UdpControlChannel(int rank, DatagramChannel channel, SocketAddress[] peers, byte[] key)
            throws GeneralSecurityException {
        this.rank = rank;
        this.channel = channel;
        this.peers = peers;
        this.mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
    }

    /** Collective over {@code comm}: every rank must call it, while all ranks are alive. */
    static UdpControlChannel open(Intracomm comm) {
        int rank = comm.Rank();
        int size = comm.Size();
        try {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(0));
            ch.configureBlocking(false);
            String host = System.getenv("RINGSGD_ADVERTISE");
            if (host == null || host.isBlank()) {
                host = InetAddress.getLocalHost().getHostAddress();
            }
            byte[] mine = new byte[ADDRESS_BYTES];
            byte[] text = (host + " " + ((InetSocketAddress) ch.getLocalAddress()).getPort())
                    .getBytes(StandardCharsets.UTF_8);
            if (text.length >= ADDRESS_BYTES) {
                throw new IllegalArgumentException("host name too long for the control channel: " + host);
            }
            System.arraycopy(text, 0, mine, 0, text.length);
            byte[] all = new byte[ADDRESS_BYTES * size];
            comm.Allgather(mine, 0, ADDRESS_BYTES, MPI.BYTE, all, 0, ADDRESS_BYTES, MPI.BYTE);
            byte[] key = new byte[32];
            if (rank == 0) {
                new SecureRandom().nextBytes(key);
            }
            comm.Bcast(key, 0, key.length, MPI.BYTE, 0);
            SocketAddress[] peers = new SocketAddress[size];
            for (int r = 0; r < size; r++) {
                String s = new String(all, r * ADDRESS_BYTES, ADDRESS_BYTES, StandardCharsets.UTF_8).trim();
                String[] hp = s.split(" ");
                peers[r] = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
            }
            return new UdpControlChannel(rank, ch, peers, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("rank " + rank + " could not open the MPJ transport's control channel: "
                    + e, e);
        }
    }

    /** Sends {@code body} to every other rank (never blocks; a lost datagram is simply not delivered). */
    synchronized void broadcast(byte[] body, int len) {
        out.clear();
        out.putInt(MAGIC).putInt(rank).putShort((short) len).put(body, 0, len);
        mac.update(out.array(), 0, out.position());
        out.put(mac.doFinal());
        out.flip();
        for (int r = 0; r < peers.length; r++) {
            if (r == rank) {
                continue;
            }
            try {
                channel.send(out.duplicate(), peers[r]);
            } catch (IOException e) {
                // The peer's host may be gone; the others still get theirs.
            }
        }
    }

    /**
     * Receives one authenticated datagram into {@code body}; returns its length, or -1 if none is waiting.
     * Datagrams that fail authentication are dropped.
     */
    synchronized int receive(byte[] body) {
        while (true) {
            in.clear();
            SocketAddress from;
            try {
                from = channel.receive(in);
            } catch (IOException e) {
                return -1;
            }
            if (from == null) {
                return -1;
            }
            in.flip();
            if (in.remaining() < 10 + MAC_BYTES || in.getInt(0) != MAGIC) {
                continue;
            }
            int sender = in.getInt(4);
            int len = in.getShort(8) & 0xffff;
            if (sender < 0 || sender >= peers.length || len > body.length || in.remaining() != 10 + len + MAC_BYTES) {
                continue;
            }
            mac.update(in.array(), 0, 10 + len);
            byte[] got = mac.doFinal();
            System.arraycopy(in.array(), 10 + len, expected, 0, MAC_BYTES);
            if (!MessageDigest.isEqual(got, expected)) {
                continue;
            }
            System.arraycopy(in.array(), 10, body, 0, len);
            lastFrom = sender;
            return len;
        }
    }

    /** Sender of the last datagram {@link #receive} returned. */
    int lastFrom() {
        return lastFrom;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
