package dev.tresor.kms.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The records a class logs (through {@link System.Logger}, which the JDK backs by java.util.logging) while open. */
public final class LoggedRecords implements AutoCloseable {
    /** Held, so the logger the handler is added to is the one the class logs to. */
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LoggedRecords(Class<?> logging) {
        logger = Logger.getLogger(logging.getName());
        logger.addHandler(handler);
    }

    /** Starts capturing what {@code logging} logs under its own name. */
    public static LoggedRecords of(Class<?> logging) {
        return new LoggedRecords(logging);
    }

    /** Each record so far, as its level and message. */
    public List<String> messages() {
        return records.stream().map(record -> record.getLevel() + " " + record.getMessage()).toList();
    }

    /** The records so far, in the order they were logged. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
