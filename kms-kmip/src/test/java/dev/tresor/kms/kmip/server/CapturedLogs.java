package dev.tresor.kms.kmip.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The messages Tresor logs at {@code WARNING} or above while open, from any thread. */
final class CapturedLogs implements AutoCloseable {
    private static final Logger TRESOR = Logger.getLogger("dev.tresor.kms");

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(record.getLevel() + " " + record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLogs() {
        TRESOR.addHandler(handler);
    }

    static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** Each captured message, as its level and text. */
    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        TRESOR.removeHandler(handler);
    }
}
