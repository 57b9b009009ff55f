package io.ringsgd.launch;

/**
 * Defaults for the slf4j-simple binding the command line ships: info level, short lines on standard error. Any
 * {@code -Dorg.slf4j.simpleLogger.*} property given by the user wins.
 */
final class Logging {
    private Logging() {
    }

    static void configure() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
        // The train command prints its own progress and summary.
        setIfAbsent("org.slf4j.simpleLogger.log.io.ringsgd.pipesgd.train.TrainingSession", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.ringsgd.pipesgd.data.DataSets", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
