package io.ringsgd.cocod;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.collectives.testing.TcpGroup;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trainer names no transport: over TCP and over an emulated slow link it computes the same bits as over in-JVM
 * threads (the collectives give identical results whatever carries the bytes; only the timing changes).
 */
@Timeout(60)
class CocodTransportTest {

    @Test
    void tcpAndAnEmulatedLinkGiveTheSameParametersAsThreads() {
        for (String compression : new String[] {"none", "int8"}) {
            TrainConfig cfg = CocodSgdTrainerTest.small(3, 2).compression(compression).maxIterations(30).build();
            CommunicatorConfig plain = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
            String threads = Communicators.runLocal(3, plain, comm -> Trainers.create("cocod").train(comm, cfg,
                    TrainingListener.NONE)).get(0).paramsSha256();
            List<TrainResult> tcp = TcpGroup.run(3, plain, comm -> Trainers.create("cocod").train(comm, cfg,
                    TrainingListener.NONE));
            CommunicatorConfig slow = plain.toBuilder().link(LinkModel.parse("200us", "1gbit")).build();
            List<TrainResult> emulated = Communicators.runLocal(3, slow, comm -> Trainers.create("cocod")
                    .train(comm, cfg, TrainingListener.NONE));
            for (int r = 0; r < 3; r++) {
                assertThat(tcp.get(r).paramsSha256()).as("tcp %s rank %d", compression, r).isEqualTo(threads);
                assertThat(emulated.get(r).paramsSha256()).as("emulated %s rank %d", compression, r)
                        .isEqualTo(threads);
            }
        }
    }
}
