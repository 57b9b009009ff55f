package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file format and atomic writes. */
@Timeout(30)
class CheckpointFormatTest {
    @TempDir
    Path dir;

    private static Checkpoint sample() {
        return new Checkpoint(1234).put("trainer", "pipe").put("note", "ünïcode \"quoted\"")
                .put("params", new float[] {1f, -2.5f, Float.MIN_VALUE, Float.NaN}).put("empty", new float[0]);
    }

    @Test
    void roundTrip() {
        Checkpoint c = CheckpointFormat.decode(CheckpointFormat.encode(sample()), "mem");
        assertThat(c.iteration()).isEqualTo(1234);
        assertThat(c.meta("trainer")).isEqualTo("pipe");
        assertThat(c.meta("note")).isEqualTo("ünïcode \"quoted\"");
        float[] p = c.array("params");
        assertThat(Float.floatToRawIntBits(p[3])).isEqualTo(Float.floatToRawIntBits(Float.NaN));
        assertThat(Arrays.copyOf(p, 3)).containsExactly(1f, -2.5f, Float.MIN_VALUE);
        assertThat(c.array("empty")).isEmpty();
        assertThat(c.requireArray("params", 4)).isSameAs(p);
        assertThatThrownBy(() -> c.requireArray("params", 5)).hasMessageContaining("has 4 floats, this run needs 5");
        assertThatThrownBy(() -> c.requireMeta("width")).hasMessageContaining("no 'width' entry");
    }

    @Test
    void everyFlippedByteIsDetected() {
        byte[] good = CheckpointFormat.encode(sample());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> CheckpointFormat.decode(bad, "f.ckpt")).as("byte %d", i)
                    .isInstanceOf(CheckpointException.class).hasMessageStartingWith("f.ckpt");
        }
        byte[] bad = good.clone();
        bad[40] ^= 1;
        assertThatThrownBy(() -> CheckpointFormat.decode(bad, "f.ckpt"))
                .hasMessageContaining("corrupt (checksum mismatch)").hasMessageContaining("delete it");
    }

    @Test
    void wrongMagicVersionAndTruncationAreNamed() {
        byte[] good = CheckpointFormat.encode(sample());
        assertThatThrownBy(() -> CheckpointFormat.decode("not a checkpoint at all, really".getBytes(), "x"))
                .hasMessageContaining("not a ringsgd checkpoint");
        byte[] v2 = good.clone();
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        assertThatThrownBy(() -> CheckpointFormat.decode(v2, "x")).hasMessageContaining("format version 2")
                .hasMessageContaining("reads version 1");
        assertThatThrownBy(() -> CheckpointFormat.decode(Arrays.copyOf(good, good.length - 9), "x"))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> CheckpointFormat.decode(new byte[3], "x"))
                .hasMessageContaining("not a ringsgd checkpoint");
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 0);
        Path f = store.writeShared(sample());
        assertThat(f.getFileName().toString()).isEqualTo("checkpoint-000000001234.ckpt");
        Path again = store.writeShared(new Checkpoint(1234).put("x", "y"));
        assertThat(again).isEqualTo(f);
        assertThat(CheckpointStore.read(f).meta("x")).isEqualTo("y");
        store.writeRank(new Checkpoint(1234));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "checkpoint-000000001234.ckpt", "checkpoint-000000001234.rank-0.ckpt");
        }
        assertThat(store.newestComplete()).isEqualTo(1234);
        store.writeShared(new Checkpoint(2000)); // no rank file yet: incomplete
        assertThat(store.newestComplete()).isEqualTo(1234);
        store.deleteOlderThan(2000, true);
        assertThat(store.newestComplete()).isEqualTo(-1);
        assertThatThrownBy(() -> store.readRank(7)).hasMessageContaining("does not exist");
    }
}
