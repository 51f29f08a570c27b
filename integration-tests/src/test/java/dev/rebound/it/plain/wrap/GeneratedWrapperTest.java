package dev.rebound.it.plain.wrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.woven.WovenChat;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Rebound.wrap} through the class the weaver's annotation processor generated ({@code Name$$Rebound},
 * this package being compiled by javac with the processor) behaves as through its JDK proxy
 * ({@code viaJdkProxy()}): each test runs both ways and asserts the same values.
 */
class GeneratedWrapperTest {

    private final List<ReboundEvent.Kind> events = new CopyOnWriteArrayList<>();
    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final ReboundSettings settings = ReboundSettings.builder().timeSource(clock)
            .logging(false).listener(e -> events.add(e.kind())).build();

    /** {@code type}'s wrapper of {@code target}: through the generated class, or its JDK proxy. */
    private <T> T wrap(Class<T> type, T target, boolean proxy) {
        Rebound.Builder<T> builder = Rebound.wrap(type, target).named("model").settings(settings);
        T wrapped = (proxy ? builder.viaJdkProxy() : builder).build();
        assertThat(Rebound.isGenerated(wrapped)).as("generated").isEqualTo(!proxy);
        assertThat(Proxy.isProxyClass(wrapped.getClass())).as("proxy").isEqualTo(proxy);
        if (!proxy) {
            assertThat(wrapped.getClass().getName()).isEqualTo(type.getName() + "$$Rebound");
        }
        return wrapped;
    }

    /** Fails its first calls with the exceptions given, then answers; counts and records. */
    static class Chat implements WrapShapes.Chat {
        final List<Throwable> failures;
        final List<String> sent = new ArrayList<>();
        int calls;

        Chat(Throwable... failures) {
            this.failures = new ArrayList<>(List.of(failures));
        }

        private void maybeFail() {
            calls++;
            if (!failures.isEmpty()) {
                throw Chat.<RuntimeException>sneaky(failures.remove(0));
            }
        }

        @SuppressWarnings("unchecked")
        static <X extends Throwable> X sneaky(Throwable t) throws X {
            throw (X) t;
        }

        @Override
        public String chat(String prompt) {
            maybeFail();
            return "answer to " + prompt;
        }

        @Override
        public int count(int times, long base, double scale) {
            maybeFail();
            return (int) (times * base * scale);
        }

        @Override
        public void send(String... parts) {
            maybeFail();
            sent.addAll(List.of(parts));
        }

        @Override
        public String[] split(char[] chars, int[][] grid) {
            maybeFail();
            return new String[] {new String(chars), Arrays.deepToString(grid)};
        }

        @Override
        public long plain(long x) {
            maybeFail();
            return x + 1;
        }
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void retriesUntilTheTargetAnswers(boolean proxy) throws IOException {
        Chat target = new Chat(new IOException("one"), new IllegalStateException("two"));
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        assertThat(chat.chat("ping")).isEqualTo("answer to ping");
        assertThat(target.calls).isEqualTo(3);
        assertThat(events).containsExactly(ReboundEvent.Kind.ATTEMPT_FAILED, ReboundEvent.Kind.RETRY_SCHEDULED,
                ReboundEvent.Kind.ATTEMPT_FAILED, ReboundEvent.Kind.RETRY_SCHEDULED, ReboundEvent.Kind.SUCCEEDED);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void theCallerGetsTheLastCheckedFailureItselfWithTheHistory(boolean proxy) {
        IOException first = new IOException("1");
        IOException second = new IOException("2");
        IOException third = new IOException("3");
        Chat target = new Chat(first, second, third);
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        Throwable caught = catchThrowable(() -> chat.chat("ping"));

        assertThat(caught).isSameAs(third);
        assertThat(caught.getSuppressed()).containsExactly(first, second);
        assertThat(target.calls).isEqualTo(3);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void anUndeclaredCheckedFailureArrivesWrappedAsFromAJdkProxy(boolean proxy) {
        Exception undeclared = new Exception("not declared by count");
        Chat target = new Chat(undeclared, undeclared, undeclared);
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        Throwable caught = catchThrowable(() -> chat.count(1, 2, 3));

        assertThat(caught).isInstanceOf(UndeclaredThrowableException.class);
        assertThat(caught.getCause()).isSameAs(undeclared);
    }

    /** A method without policy goes straight to the target, and its undeclared checked failure arrives as from the proxy. */
    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void anUndeclaredCheckedFailureOfAMethodWithoutPolicyArrivesWrappedAsFromAJdkProxy(boolean proxy) {
        IOException undeclared = new IOException("not declared by plain");
        Chat target = new Chat(undeclared);
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        Throwable caught = catchThrowable(() -> chat.plain(1));

        assertThat(caught).isInstanceOf(UndeclaredThrowableException.class);
        assertThat(caught.getCause()).isSameAs(undeclared);
        assertThat(target.calls).isEqualTo(1);
        assertThat(events).isEmpty();
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aCheckedFailureIsJudgedByTheExceptionsTheMethodDeclaresNotByATypeArgument(boolean proxy) {
        // Op.run declares "throws E" (Exception, erased): IoOp sees IOException, reflection and every door Exception
        java.sql.SQLException busy = new java.sql.SQLException("busy");
        int[] calls = {0};
        WrapShapes.IoOp op = wrap(WrapShapes.IoOp.class, p -> {
            calls[0]++;
            throw Chat.<RuntimeException>sneaky(busy);
        }, proxy);

        Throwable caught = catchThrowable(() -> op.run("x"));

        assertThat(caught).isSameAs(busy);
        assertThat(calls[0]).isEqualTo(2);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void primitivesVarargsArraysAndDefaultMethodsPassAsTheyAre(boolean proxy) {
        Chat target = new Chat(new IllegalStateException("a"), new IllegalStateException("b"));
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        assertThat(chat.count(3, 5L, 2.0)).isEqualTo(30);
        assertThat(target.calls).isEqualTo(3);
        chat.send("x", "y");
        assertThat(target.sent).containsExactly("x", "y");
        assertThat(target.calls).isEqualTo(4);
        assertThat(chat.split(new char[] {'h', 'i'}, new int[][] {{1}, {2, 3}})).containsExactly("hi", "[[1], [2, 3]]");
        assertThat(chat.greet("you")).isEqualTo("hello you");
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aMethodWithoutPolicyCallsTheTargetOnce(boolean proxy) {
        IllegalStateException down = new IllegalStateException("down");
        Chat target = new Chat(down);
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        assertThat(catchThrowable(() -> chat.plain(1))).isSameAs(down);
        assertThat(target.calls).isEqualTo(1);
        assertThat(chat.plain(1)).isEqualTo(2);
        assertThat(events).isEmpty();
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void objectsMethodsAreTheWrappersOwn(boolean proxy) {
        Chat target = new Chat();
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, target, proxy);

        assertThat(chat.toString()).isEqualTo("Rebound(model)");
        assertThat(chat).isEqualTo(chat).isNotEqualTo(target).isNotEqualTo(wrap(WrapShapes.Chat.class, target, proxy));
        assertThat(chat.hashCode()).isEqualTo(System.identityHashCode(chat));
        assertThat(Rebound.isResilient(chat)).isTrue();
        assertThat(Policies.isProxy(chat)).isTrue();
        // wrapping the wrapper again with its own annotations would apply them twice: it is returned as it is
        assertThat(Rebound.wrap(WrapShapes.Chat.class, chat).build()).isSameAs(chat);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aGenericInterfaceAndAGenericMethod(boolean proxy) {
        int[] calls = {0};
        WrapShapes.Repo<Integer> target = new WrapShapes.Repo<>() {
            @Override
            public Integer first(List<? extends Integer> items) {
                if (++calls[0] < 3) {
                    throw new IllegalStateException("not yet");
                }
                return items.get(0);
            }

            @Override
            public <R extends Comparable<R>> R max(List<R> items, Integer unused) {
                calls[0]++;
                return items.stream().max(Comparator.naturalOrder()).orElseThrow();
            }
        };
        @SuppressWarnings("unchecked")
        WrapShapes.Repo<Integer> repo = wrap(WrapShapes.Repo.class, target, proxy);

        assertThat(repo.first(List.of(7, 8))).isEqualTo(7);
        assertThat(calls[0]).isEqualTo(3);
        assertThat(repo.max(List.of("a", "c", "b"), 0)).isEqualTo("c");
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aPolicyInheritedFromAGenericSuperInterface(boolean proxy) {
        int[] calls = {0};
        WrapShapes.Words target = new WrapShapes.Words() {
            @Override
            public String handle(String input) {
                if (++calls[0] < 2) {
                    throw new IllegalStateException("not yet");
                }
                return input.toUpperCase();
            }

            @Override
            public String more() {
                return "more";
            }
        };
        WrapShapes.Words words = wrap(WrapShapes.Words.class, target, proxy);

        assertThat(words.handle("hi")).isEqualTo("HI");
        assertThat(calls[0]).isEqualTo(2);
        WrapShapes.Handler<String> asHandler = words;
        assertThat(asHandler.handle("yo")).isEqualTo("YO");
        assertThat(words.more()).isEqualTo("more");
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aPackagePrivateInterface(boolean proxy) {
        int[] calls = {0};
        WrapShapes.Hidden target = () -> {
            if (++calls[0] < 2) {
                throw new IllegalStateException("not yet");
            }
            return "found";
        };
        WrapShapes.Hidden hidden = wrap(WrapShapes.Hidden.class, target, proxy);

        assertThat(hidden.go()).isEqualTo("found");
        assertThat(calls[0]).isEqualTo(2);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void theBuildersPolicyAndFallbacksInOrder(boolean proxy) {
        List<String> order = new ArrayList<>();
        WrapShapes.Plain primary = p -> {
            order.add("primary");
            throw new IllegalStateException("primary down");
        };
        WrapShapes.Plain first = p -> {
            order.add("first");
            throw new IllegalStateException("first down");
        };
        WrapShapes.Plain second = p -> {
            order.add("second");
            return "second: " + p;
        };
        Rebound.Builder<WrapShapes.Plain> builder = Rebound.wrap(WrapShapes.Plain.class, primary).settings(settings)
                .withRetry(RetryPolicy.builder().attempts(3).delay(java.time.Duration.ZERO).build())
                .withFallbacks(first, second);
        WrapShapes.Plain plain = (proxy ? builder.viaJdkProxy() : builder).build();
        assertThat(Rebound.isGenerated(plain)).isEqualTo(!proxy);

        assertThat(plain.chat("ping")).isEqualTo("second: ping");
        assertThat(order).containsExactly("primary", "primary", "primary", "first", "second");
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aWrapperCalledAsAnothersFallbackKeepsItsOwnRetry(boolean proxy) {
        int[] backupCalls = {0};
        WrapShapes.Plain backup = p -> {
            if (++backupCalls[0] < 2) {
                throw new IllegalStateException("backup not yet");
            }
            return "backup: " + p;
        };
        Rebound.Builder<WrapShapes.Plain> inner = Rebound.wrap(WrapShapes.Plain.class, backup).settings(settings)
                .named("backup").withRetry(RetryPolicy.builder().attempts(2).delay(java.time.Duration.ZERO).build());
        WrapShapes.Plain wrappedBackup = (proxy ? inner.viaJdkProxy() : inner).build();
        WrapShapes.Plain primary = p -> {
            throw new IllegalStateException("primary down");
        };
        Rebound.Builder<WrapShapes.Plain> outer = Rebound.wrap(WrapShapes.Plain.class, primary).settings(settings)
                .withRetry(RetryPolicy.builder().attempts(1).build()).withFallbacks(wrappedBackup);
        WrapShapes.Plain plain = (proxy ? outer.viaJdkProxy() : outer).build();
        assertThat(Rebound.isGenerated(plain)).isEqualTo(!proxy);

        assertThat(plain.chat("ping")).isEqualTo("backup: ping");
        assertThat(backupCalls[0]).isEqualTo(2);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aFailedCallNestedInAnothersRetryKeepsTheArgumentsApart(boolean proxy) {
        RetryPolicy three = RetryPolicy.builder().attempts(3).delay(java.time.Duration.ZERO).build();
        int[] innerCalls = {0};
        Rebound.Builder<WrapShapes.Plain> innerBuilder = Rebound.wrap(WrapShapes.Plain.class, (WrapShapes.Plain) p -> {
            if (++innerCalls[0] % 2 == 1) {
                throw new IllegalStateException("inner down");
            }
            return "inner " + p;
        }).settings(settings).withRetry(three);
        WrapShapes.Plain inner = (proxy ? innerBuilder.viaJdkProxy() : innerBuilder).build();
        List<String> seen = new ArrayList<>();
        Rebound.Builder<WrapShapes.Plain> outerBuilder = Rebound.wrap(WrapShapes.Plain.class, (WrapShapes.Plain) p -> {
            seen.add(p + " + " + inner.chat("for " + p)); // the inner call fails once, on this thread, within our retry
            if (seen.size() < 3) {
                throw new IllegalStateException("outer down");
            }
            return p;
        }).settings(settings).withRetry(three);
        WrapShapes.Plain outer = (proxy ? outerBuilder.viaJdkProxy() : outerBuilder).build();

        assertThat(outer.chat("ping")).isEqualTo("ping");
        assertThat(seen).containsExactly("ping + inner for ping", "ping + inner for ping", "ping + inner for ping");
        assertThat(innerCalls[0]).isEqualTo(6);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void theDiagnosticsFindEachMethodsPolicy(boolean proxy) throws Exception {
        WrapShapes.Chat chat = wrap(WrapShapes.Chat.class, new Chat(), proxy);

        ResilientMethod policy = ResilientProxy.policyOf(chat, WrapShapes.Chat.class.getMethod("chat", String.class));
        assertThat(policy).isNotNull();
        assertThat(policy.name()).isEqualTo("Chat.chat(String)");
        assertThat(policy.diagnostics().primaryRetry().attempts()).isEqualTo(3);
        assertThat(ResilientProxy.policyOf(chat, WrapShapes.Chat.class.getMethod("plain", long.class))).isNull();
        assertThat(ResilientProxy.nameOf(chat)).isEqualTo("model");
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aTypeVariableResultThatIsAFutureRunsTheAsynchronousChain(boolean proxy) {
        int[] calls = {0};
        WrapShapes.AsyncTask target = p -> {
            calls[0]++;
            return CompletableFuture.failedFuture(new IllegalStateException("down"));
        };
        WrapShapes.AsyncTask task = wrap(WrapShapes.AsyncTask.class, target, proxy);

        CompletableFuture<String> answer = task.run("ping");
        while (!answer.isDone() && clock.runScheduled() > 0) {
            // the retries' zero waits are scheduled on the virtual clock
        }
        assertThat(answer).isCompletedExceptionally();
        assertThat(calls[0]).as("the failed future is retried").isEqualTo(3);
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aTypeVariableResultThatIsAStreamIsAConfigurationError(boolean proxy) {
        WrapShapes.StreamTask target = java.util.stream.Stream::of;
        Rebound.Builder<WrapShapes.StreamTask> builder = Rebound.wrap(WrapShapes.StreamTask.class, target)
                .settings(settings);
        Throwable t = catchThrowable(() -> (proxy ? builder.viaJdkProxy() : builder).build());
        assertThat(t).isInstanceOfSatisfying(dev.rebound.runtime.ReboundConfigurationException.class,
                e -> assertThat(e.problems()).containsExactly("Task.run(String): @Retry cannot act on a method "
                        + "returning Stream: its failures arrive after the call has returned (apply the policy where "
                        + "the result is awaited)"));
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aCompletionStageMethodRunsTheAsynchronousChain(boolean proxy) {
        int[] calls = {0};
        WrapShapes.Async target = p -> ++calls[0] < 3
                ? CompletableFuture.failedFuture(new IllegalStateException("not yet"))
                : CompletableFuture.completedFuture("async " + p);
        WrapShapes.Async async = wrap(WrapShapes.Async.class, target, proxy);

        CompletableFuture<String> answer = async.chat("ping");
        while (!answer.isDone() && clock.runScheduled() > 0) {
            // the retries' zero waits are scheduled on the virtual clock
        }
        assertThat(answer).isCompletedWithValue("async ping");
        assertThat(calls[0]).isEqualTo(3);
    }

    @Test
    void aShapeTheProcessorCannotWriteGetsTheProxyWithItsPolicy() {
        int[] calls = {0};
        WrapShapes.Narrowed target = input -> {
            if (++calls[0] < 3) {
                throw new IllegalStateException("not yet");
            }
            return input;
        };
        WrapShapes.Narrowed narrowed = Rebound.wrap(WrapShapes.Narrowed.class, target).settings(settings).build();

        assertThat(Rebound.isGenerated(narrowed)).isFalse();
        assertThat(Proxy.isProxyClass(narrowed.getClass())).isTrue();
        assertThat(narrowed.handle("x")).isEqualTo("x");
        assertThat(calls[0]).isEqualTo(3);
    }

    @Test
    void aGeneratedClassThatAjcCompiledIsNotWovenSoItsPolicyAppliesOnce() throws Exception {
        // dev.rebound.it.woven is compiled by ajc with the aspect library, the generated sources with it
        Class<?> generated = Class.forName("dev.rebound.it.woven.WovenChat$$Rebound");
        assertThat(dev.rebound.weaver.Woven.class.isAssignableFrom(generated)).isFalse();
        int[] calls = {0};
        WovenChat target = prompt -> {
            calls[0]++;
            throw new IllegalStateException("down");
        };
        WovenChat chat = wrap(WovenChat.class, target, false);

        assertThat(catchThrowable(() -> chat.chat("ping"))).hasMessage("down");
        assertThat(calls[0]).isEqualTo(3); // @Retry(attempts = 3): not 3 × 3
        assertThat(clock.slept()).isEqualTo(java.time.Duration.ofMillis(10 + 20)); // its waits, on its own clock
    }

    @ParameterizedTest(name = "proxy: {0}")
    @ValueSource(booleans = {false, true})
    void aTypeLevelPolicyAppliesToAMethodInheritedFromAnUnannotatedInterface(boolean proxy) {
        IllegalStateException down = new IllegalStateException("down");
        int[] calls = {0};
        WrapShapes.InheritedChat chat = wrap(WrapShapes.InheritedChat.class, prompt -> {
            calls[0]++;
            throw down;
        }, proxy);
        assertThat(catchThrowable(() -> chat.apply("x"))).isSameAs(down);
        assertThat(calls[0]).isEqualTo(3);
    }
}
