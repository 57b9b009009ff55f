package io.ringsgd.pipesgd.train;

import io.ringsgd.pipesgd.data.DataSpec;

/**
 * What a run reads and how much of it: the data set, the mini-batch per worker (a step averages the gradients of
 * workers × batch samples) and the passes over the training set. The constructor rejects bad values with a one-line
 * {@link IllegalArgumentException} naming the flag.
 *
 * @param spec   the data set ({@code --data})
 * @param batch  mini-batch size per worker ({@code --batch})
 * @param epochs passes over the training set ({@code --epochs})
 */
public record DataConfig(DataSpec spec, int batch, int epochs) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to pass instead
     */
    public DataConfig {
        if (spec == null) {
            throw new IllegalArgumentException("data is null: pass --data fashion-mnist, embedded, synthetic "
                    + "or a directory");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs + ": pass --epochs 3");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1 sample per worker, got " + batch
                    + ": pass --batch 32 for example");
        }
    }
}
