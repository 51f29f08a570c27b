package dev.rebound.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.DynamicThresholdFilter;
import ch.qos.logback.classic.turbo.MDCValueLevelPair;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Logback configured as applications configure it, for {@code LogbackLevelsTest} (which runs in a JVM of its
 * own, Logback the only SLF4J provider). Its methods speak JDK types only: the test class loads where Logback
 * is absent (the default execution), to be skipped there.
 */
final class Logback {

    private static ListAppender<ILoggingEvent> lines;

    private Logback() {
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    /** A fresh configuration: the root logger at WARN, every line kept. */
    static void reset() {
        LoggerContext context = context();
        context.reset();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        lines = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                e.prepareForDeferredProcessing(); // its MDC as on the logging thread then, not read later
                super.append(e);
            }
        };
        lines.setContext(context);
        lines.start();
        root.addAppender(lines);
    }

    /**
     * A slow appender in front of the kept lines, as a synchronous one writing to a slow disk is: the first
     * line that contains {@code text} counts {@code heard} down, then holds its thread until {@code release}
     * (10 s at most), before the line is kept. Takes no lock: other threads log meanwhile.
     */
    static void holdFirstLineContaining(String text, CountDownLatch heard, CountDownLatch release) {
        LoggerContext context = context();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        UnsynchronizedAppenderBase<ILoggingEvent> slow = new UnsynchronizedAppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getFormattedMessage().contains(text) && heard.getCount() > 0) {
                    heard.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        slow.setContext(context);
        slow.start();
        root.detachAppender(lines);
        root.addAppender(slow);
        root.addAppender(lines);
    }

    /** Sets the level of {@code logger}: "OFF", "WARN", "INFO", "DEBUG", "ALL". */
    static void level(String logger, String level) {
        context().getLogger(logger).setLevel(Level.toLevel(level));
    }

    /** Every line so far, as "LEVEL logger message". */
    static List<String> lines() {
        List<String> out = new ArrayList<>();
        synchronized (lines.list) {
            for (ILoggingEvent e : lines.list) {
                out.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
            }
        }
        return out;
    }

    /** Each line's MDC value of {@code key} (null where it had none), in order. */
    static List<String> mdc(String key) {
        List<String> out = new ArrayList<>();
        synchronized (lines.list) {
            for (ILoggingEvent e : lines.list) {
                out.add(e.getMDCPropertyMap().get(key));
            }
        }
        return out;
    }

    /**
     * Levels by the MDC, as a DynamicThresholdFilter sets them: WARN, and {@code level} on a thread whose
     * MDC has {@code key} = {@code value}; every logger open below.
     */
    static void levelByMdc(String key, String value, String level) {
        LoggerContext context = context();
        DynamicThresholdFilter byMdc = new DynamicThresholdFilter();
        byMdc.setKey(key);
        byMdc.setDefaultThreshold(Level.WARN);
        MDCValueLevelPair pair = new MDCValueLevelPair();
        pair.setValue(value);
        pair.setLevel(Level.toLevel(level));
        byMdc.addMDCValueLevelPair(pair);
        byMdc.setContext(context);
        byMdc.start();
        context.addTurboFilter(byMdc);
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.ALL);
    }

    /** Counts, from now on, each time {@code logger} is asked about DEBUG (a level check or a DEBUG line). */
    static AtomicInteger debugQuestions(String logger) {
        AtomicInteger count = new AtomicInteger();
        TurboFilter counter = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, Logger l, Level level, String format, Object[] params,
                    Throwable t) {
                if (level == Level.DEBUG && l.getName().equals(logger)) {
                    count.incrementAndGet();
                }
                return FilterReply.NEUTRAL;
            }
        };
        counter.setContext(context());
        counter.start();
        context().addTurboFilter(counter);
        return count;
    }
}
