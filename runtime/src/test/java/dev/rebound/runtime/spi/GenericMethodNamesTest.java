package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A method a door resolves is named alike whichever method it resolved: the woven advice and Guice resolve a
 * class's {@code reply(String)}, {@code Rebound.wrap} (and the engine, for an alternative) the interface's erased
 * {@code Replier.reply(Object)}, and javac wrote a bridge {@code reply(Object)} into the class that carries copies of
 * its annotations. Events and the fleet name the method as its interface declares it; configuration problems name
 * the declaration that carries the annotation concerned (configuration-errors.md).
 */
class GenericMethodNamesTest {

    final ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
            .build();

    public interface Replier<T> {
        String reply(T question);
    }

    /** One failure opens its breaker, which asks the fleet's store under the method's fleet name. */
    public static class Own implements Replier<String> {
        @Override
        @CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0)
        public String reply(String question) {
            return question;
        }
    }

    /** The class's method, as the woven advice and Guice resolve it. */
    private static Method classMethod(Class<?> type) throws NoSuchMethodException {
        return type.getMethod("reply", String.class);
    }

    /** The interface's erased method, as Rebound.wrap resolves it. */
    private static Method interfaceMethod() throws NoSuchMethodException {
        return Replier.class.getMethod("reply", Object.class);
    }

    @Test
    void eventsAndTheFleetNameAGenericInterfacesMethodAsItDeclaresItWhicheverMethodTheDoorResolved()
            throws Throwable {
        for (Method resolved : List.of(classMethod(Own.class), interfaceMethod())) {
            GeneratedSubclassKeysTest.RecordingStore store = new GeneratedSubclassKeysTest.RecordingStore();
            ResilientMethod method = Policies.resolve(Own.class, resolved,
                    settings.toBuilder().rateLimitStore(store).build(), alt -> null);

            IllegalStateException down = new IllegalStateException("down");
            assertThat(catchThrowableOfType(() -> method.execute(null, new Object[] {"q"}, (context, args) -> {
                throw down;
            }), IllegalStateException.class)).as("the failure itself").isSameAs(down);

            assertThat(method.name()).as("resolved %s", resolved).isEqualTo("Replier.reply(Object)");
            assertThat(store.breakers).as("resolved %s", resolved).isNotEmpty().allSatisfy(key -> assertThat(key)
                    .isEqualTo(Replier.class.getName() + ".reply(java.lang.Object)/" + Own.class.getName()));
        }
    }

    /** A bad @Retry on the interface's method, a bad @CircuitBreaker on the class's override. */
    public interface Chat<T> {
        @Retry(attempts = 0)
        String chat(T prompt);
    }

    public static class Impl implements Chat<String> {
        @Override
        @CircuitBreaker(failureRatio = 0)
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** A bad class-level @Retry reaching the method it overrides. */
    @Retry(attempts = 0)
    public static class Typed implements Replier<String> {
        @Override
        public String reply(String question) {
            return question;
        }
    }

    /** A body inherited from a superclass that implements nothing: the method that carries the annotation. */
    public static class Base {
        @Retry(attempts = 0)
        public String reply(String question) {
            return question;
        }
    }

    public static class Inherits extends Base implements Replier<String> {
    }

    @Test
    void eachProblemNamesTheDeclarationThatCarriesItsAnnotationWhicheverMethodTheDoorResolved() throws Exception {
        for (Method resolved : List.of(Impl.class.getMethod("chat", String.class),
                Chat.class.getMethod("chat", Object.class))) {
            assertThat(problems(Impl.class, resolved)).as("resolved %s", resolved).containsExactly(
                    "Chat.chat(Object): @Retry.attempts = 0 is outside 1..100",
                    "Impl.chat(String): @CircuitBreaker.failureRatio = 0.0 must be more than 0 and at most 1");
        }
        for (Method resolved : List.of(classMethod(Typed.class), interfaceMethod())) {
            assertThat(problems(Typed.class, resolved)).as("resolved %s", resolved)
                    .containsExactly("Typed.reply(String): @Retry.attempts = 0 is outside 1..100");
        }
        for (Method resolved : List.of(classMethod(Inherits.class), interfaceMethod())) {
            assertThat(problems(Inherits.class, resolved)).as("resolved %s", resolved)
                    .containsExactly("Base.reply(String): @Retry.attempts = 0 is outside 1..100");
        }
    }

    private List<String> problems(Class<?> type, Method resolved) {
        ReboundConfigurationException refused = catchThrowableOfType(() -> Policies.resolve(type, resolved, settings,
                alt -> null), ReboundConfigurationException.class);
        assertThat(refused).as("refused").isNotNull();
        return refused.problems();
    }
}
