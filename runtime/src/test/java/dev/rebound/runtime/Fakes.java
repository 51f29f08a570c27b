package dev.rebound.runtime;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/** Scripted fakes shared by the engine tests. */
final class Fakes {

    private Fakes() {
    }

    /** The service interface of the seed's examples. */
    interface ChatClient {
        String chat(String prompt) throws Exception;

        default String model() {
            return "unknown";
        }
    }

    /** Records "name #n" for every call into a shared log. */
    static final class CallLog {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        int count(String name) {
            synchronized (calls) {
                return (int) calls.stream().filter(c -> c.startsWith(name + " #")).count();
            }
        }
    }

    /**
     * A model that fails with the scripted failures first, then answers "name: prompt".
     * Each failure supplier is called once per attempt, in order.
     */
    static class ScriptedChat implements ChatClient {
        final String name;
        final CallLog log;
        final Deque<Supplier<? extends Throwable>> script = new ArrayDeque<>();
        int attempts;

        ScriptedChat(String name, CallLog log) {
            this.name = name;
            this.log = log;
        }

        @SafeVarargs
        final ScriptedChat failing(Supplier<? extends Throwable>... failures) {
            for (Supplier<? extends Throwable> f : failures) {
                script.add(f);
            }
            return this;
        }

        ScriptedChat failingAlways(Supplier<? extends Throwable> failure) {
            for (int i = 0; i < 1000; i++) {
                script.add(failure);
            }
            return this;
        }

        @Override
        public synchronized String chat(String prompt) throws Exception {
            attempts++;
            log.calls.add(name + " #" + attempts);
            Supplier<? extends Throwable> next = script.poll();
            if (next != null) {
                Throwable t = next.get();
                if (t instanceof Exception) {
                    throw (Exception) t;
                }
                throw (Error) t;
            }
            return name + ": " + prompt;
        }

        @Override
        public String model() {
            return name;
        }
    }

    /** A time source whose sleep blocks until the thread is interrupted; counts the threads that began waiting. */
    static final class BlockingTime implements TimeSource {
        final java.util.concurrent.CountDownLatch sleeping;

        BlockingTime() {
            this(1);
        }

        BlockingTime(int sleepers) {
            this.sleeping = new java.util.concurrent.CountDownLatch(sleepers);
        }

        @Override
        public long nanoTime() {
            return 0L;
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            sleeping.countDown();
            new java.util.concurrent.CountDownLatch(1).await();
        }
    }

    /**
     * A virtual clock whose sleep first says it waits, then waits (interruptibly, in real time) until
     * {@code until} opens, then sleeps on {@code clock}: it orders another thread's step (a sibling's failure)
     * during a wait.
     */
    record WaitsUntil(CountDownLatch waiting, CountDownLatch until, VirtualTimeSource clock) implements TimeSource {
        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            waiting.countDown();
            until.await();
            clock.sleep(nanos);
        }
    }

    /** Settings with a virtual clock, a recording listener, no jitter randomness surprises. */
    static ReboundSettings settings(VirtualTimeSource time, List<ReboundEvent> events) {
        return ReboundSettings.builder()
                .timeSource(time)
                .listener(events::add)
                .random(new java.util.Random(42))
                .build();
    }
}
