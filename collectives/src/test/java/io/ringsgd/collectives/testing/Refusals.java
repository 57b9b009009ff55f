package io.ringsgd.collectives.testing;

import java.util.ArrayList;
import java.util.List;

/** The messages of the argument checks that calls make before anything is sent. */
public final class Refusals {
    private Refusals() {
    }

    /** Runs each call in turn: its {@link IllegalArgumentException}'s message, or "no exception". */
    public static List<String> messages(List<Runnable> calls) {
        List<String> out = new ArrayList<>();
        for (Runnable call : calls) {
            try {
                call.run();
                out.add("no exception");
            } catch (IllegalArgumentException e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }
}
