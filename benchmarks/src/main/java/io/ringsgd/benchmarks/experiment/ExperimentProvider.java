package io.ringsgd.benchmarks.experiment;

import io.ringsgd.launch.SubcommandProvider;

/** Contributes {@code ringsgd experiment} to the command line. */
public final class ExperimentProvider implements SubcommandProvider {

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public Object command() {
        return new ExperimentCommand();
    }
}
