package io.ringsgd.launch;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;

/**
 * Finds the MPJ Express transport, which is compiled only when MPJ Express is installed (see the README), and runs
 * MPJ's initialization for commands started by {@code ringsgd-mpjrun}.
 */
final class MpjBridge {
    private MpjBridge() {
    }

    static Communicator communicator(CommunicatorConfig config) {
        throw new IllegalArgumentException("--transport mpj needs MPJ Express: this build of ringsgd was made"
                + " without it. Install it (Debian: apt-get install libmpj-java, or set MPJ_HOME), rebuild with"
                + " mvn install, and start the ranks with launch/bin/ringsgd-mpjrun");
    }
}
