package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table fitted to a sweep makes auto pick the fastest measured algorithm at each size, for that group size. */
class TableFitTest {

    private static AllreduceBench.Result r(String algorithm, long bytes, double medianUs) {
        return new AllreduceBench.Result("tcp", 4, algorithm, bytes, 10, medianUs, medianUs, medianUs, 0, 0, true, 0);
    }

    @Test
    void fittedRowsPickTheFastestMeasuredAlgorithmAndLoadFromAFile(@TempDir Path dir) throws Exception {
        List<AllreduceBench.Result> sweep = new ArrayList<>(List.of(
                r("ring", 8, 300), r("tree", 8, 120), r("recursive-doubling", 8, 150),
                r("ring", 1024, 400), r("tree", 1024, 200), r("recursive-doubling", 1024, 210),
                r("ring", 65536, 900), r("tree", 65536, 1500), r("recursive-doubling", 65536, 1000),
                r("ring", 4 << 20, 270_000), r("tree", 4 << 20, 800_000), r("recursive-doubling", 4 << 20, 600_000),
                r("mpj-native", 4 << 20, 1), r("auto", 8, 1)));
        String text = TableFit.table(sweep, "today");
        assertThat(text).contains("allreduce:0-8192=tree@4-4", "allreduce:8192-=ring@4-4")
                .contains("#   8 bytes: ring 300.0, tree 120.0, recursive-doubling 150.0 -> tree");
        Path file = Files.writeString(dir.resolve("cluster.table"), text);
        System.setProperty("ringsgd.table", "@" + file);
        try {
            AlgorithmTable t = CommunicatorConfig.fromSystemProperties().table();
            assertThat(t.select(CollectiveKind.ALLREDUCE, 8, 4)).isEqualTo(Algorithm.TREE);
            assertThat(t.select(CollectiveKind.ALLREDUCE, 1024, 4)).isEqualTo(Algorithm.TREE);
            assertThat(t.select(CollectiveKind.ALLREDUCE, 64 << 10, 4)).isEqualTo(Algorithm.RING);
            assertThat(t.select(CollectiveKind.ALLREDUCE, 4 << 20, 4)).isEqualTo(Algorithm.RING);
            // Other group sizes keep the built-in rows.
            assertThat(t.select(CollectiveKind.ALLREDUCE, 8, 8))
                    .isEqualTo(AlgorithmTable.defaults().select(CollectiveKind.ALLREDUCE, 8, 8));
            System.setProperty("ringsgd.table", "@" + dir.resolve("missing.table"));
            assertThatThrownBy(CommunicatorConfig::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("ringsgd.table=@" + dir.resolve("missing.table")
                            + ": cannot read the table file");
        } finally {
            System.clearProperty("ringsgd.table");
        }
    }

    @Test
    void aSweepWithoutNamedAlgorithmsCannotBeFitted() {
        assertThatThrownBy(() -> TableFit.table(List.of(r("auto", 8, 1)), "today"))
                .hasMessageStartingWith("--save-table needs measurements of named algorithms");
    }
}
