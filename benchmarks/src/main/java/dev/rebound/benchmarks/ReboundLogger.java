package dev.rebound.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.helpers.NOPAppender;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Where Rebound's default SLF4J logger ({@code dev.rebound}) writes in a trial: Logback, the backend
 * every fork binds ({@code -Dslf4j.provider}, set by {@link Suite}), with the logger either off or at
 * INFO into an appender that does nothing, so that the INFO rows show what Rebound's default logging
 * costs up to the appender (its events, SLF4J's arguments, Logback's logging events) and nothing of
 * formatting or I/O. Every other logger (the peers' included) stays off, as {@code logback.xml} says.
 */
final class ReboundLogger {

    /** The SLF4J provider every fork is given; only Logback is on the suite's class path. */
    static final String PROVIDER = "ch.qos.logback.classic.spi.LogbackServiceProvider";

    static final String OFF = "off";
    static final String INFO = "info";

    private static final String APPENDER = "nothing";

    private ReboundLogger() {
    }

    /**
     * Sets {@code dev.rebound} to {@code level} ({@value #OFF} or {@value #INFO}).
     *
     * @throws IllegalStateException if SLF4J is not bound to Logback in this JVM
     * @throws IllegalArgumentException if {@code level} is neither
     */
    static void set(String level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext)) {
            throw new IllegalStateException("SLF4J is bound to " + factory.getClass().getName()
                    + ", not Logback: run the fork with -Dslf4j.provider=" + PROVIDER);
        }
        LoggerContext context = (LoggerContext) factory;
        Logger rebound = context.getLogger("dev.rebound");
        rebound.setAdditive(false);
        switch (level.toLowerCase(Locale.ROOT)) {
            case OFF:
                rebound.setLevel(Level.OFF);
                rebound.detachAndStopAllAppenders();
                break;
            case INFO:
                if (rebound.getAppender(APPENDER) == null) {
                    NOPAppender<ILoggingEvent> nothing = new NOPAppender<>();
                    nothing.setName(APPENDER);
                    nothing.setContext(context);
                    nothing.start();
                    rebound.addAppender(nothing);
                }
                rebound.setLevel(Level.INFO);
                break;
            default:
                throw new IllegalArgumentException("reboundLogger: expected " + OFF + " or " + INFO + ", got "
                        + level);
        }
    }
}
