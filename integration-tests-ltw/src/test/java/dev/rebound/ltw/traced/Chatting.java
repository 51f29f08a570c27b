package dev.rebound.ltw.traced;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.util.ArrayList;
import java.util.List;

/**
 * A client compiled by javac alone, whose primary the agent weaves with Rebound's aspects and with the application's
 * own {@link Tracing}, declared in the application's META-INF/aop.xml ({@code src/test/own-aspect}).
 */
public interface Chatting {

    /** What the bodies and the advice saw, in order. */
    List<String> LOG = new ArrayList<>();

    /** Takes anything: handed the wrong object, it would not fail, it would answer about that object. */
    String chat(Object prompt);

    /** Logs that {@code who} got {@code prompt}, and fails. */
    static String fail(String who, Object prompt) {
        LOG.add(who + " got " + prompt);
        throw new IllegalStateException("down");
    }

    /** Fails every attempt; the application's {@link Tracing} advice reads its arguments. */
    class Primary implements Chatting {
        @Override
        @Retry(attempts = 2, delay = 10)
        @Fallback(to = Spare.class)
        public String chat(Object prompt) {
            return fail("body", prompt);
        }
    }

    /** Fails every attempt; the application's {@link Exclaiming} advice proceeds to it with changed arguments. */
    class Exclaimed implements Chatting {
        @Override
        @Retry(attempts = 2, delay = 10)
        @Fallback(to = Spare.class)
        public String chat(Object prompt) {
            return fail("exclaimed", prompt);
        }
    }

    /** The alternative of {@link Primary} and {@link Exclaimed}. */
    class Spare implements Chatting {
        @Override
        public String chat(Object prompt) {
            LOG.add("spare got " + prompt.getClass().getSimpleName() + ":" + prompt);
            return "spare";
        }
    }
}
