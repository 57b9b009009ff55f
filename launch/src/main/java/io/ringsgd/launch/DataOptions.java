package io.ringsgd.launch;

import io.ringsgd.pipesgd.data.DataSpec;
import picocli.CommandLine.Option;

/** The data set, the same in every command: {@code --data}. A picocli mixin. */
public final class DataOptions {

    @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist (Debian's files, else the"
            + " embedded subset), fashion-mnist:DIR, embedded, synthetic[:train=..,test=..,features=..,classes=..,"
            + "noise=..], or a directory of MNIST-style IDX files (default ${DEFAULT-VALUE}).")
    String data;

    /** The data set as given. */
    public String text() {
        return data;
    }

    /** The parsed data set. */
    public DataSpec spec() {
        return DataSpec.parse(data);
    }
}
