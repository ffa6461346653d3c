package io.brizo.spring.boot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the running application (Spring Boot logs through Logback), kept in memory
 * from {@link #attach()} until {@link #close()}: for tests that count log lines or check that a
 * secret never shows. Start it after the application, since Spring Boot resets Logback at start.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    static LogCapture attach() {
        LogCapture capture = new LogCapture();
        capture.setName("test-capture");
        capture.start0();
        return capture;
    }

    private void start0() {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        setContext(root.getLoggerContext());
        super.start();
        root.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** {@return the events at WARN or above} */
    List<ILoggingEvent> warningsAndErrors() {
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .toList();
    }

    /** {@return every event's logger, level, message and any stack trace, one per line} */
    String text() {
        StringBuilder out = new StringBuilder();
        for (ILoggingEvent e : events) {
            out.append(e.getLevel())
                    .append(' ')
                    .append(e.getLoggerName())
                    .append(" - ")
                    .append(e.getFormattedMessage())
                    .append('\n');
            if (e.getThrowableProxy() != null) {
                out.append("  with ")
                        .append(e.getThrowableProxy().getClassName())
                        .append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(this);
        stop();
    }
}
