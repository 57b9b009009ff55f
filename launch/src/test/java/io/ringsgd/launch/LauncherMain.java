package io.ringsgd.launch;

import java.util.List;

/** A launcher process for tests that kill the launcher: starts {@code args[0]} {@link RankScript} ranks. */
public final class LauncherMain {
    private LauncherMain() {
    }

    public static void main(String[] args) throws Exception {
        int np = Integer.parseInt(args[0]);
        System.exit(Launcher.builder(np).mainClass(RankScript.class.getName()).build()
                .launch(List.of(args).subList(1, args.length), System.out, System.err));
    }
}
