package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.MethodScan;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.weaver.aspectj.ResilientMethods;
import dev.rebound.weaver.guice.ReboundModule;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.MessageHandler;
import org.aspectj.tools.ajc.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bridges of a class that implements a generic interface differ by compiler: javac copies all the annotations of
 * the method a bridge calls onto it, ajc copies none (and leaves out some bridges javac writes: a subclass that
 * overrides a generic superclass's method gets none of its own). The same source compiled by each, every lookup
 * through the interface's erased method ({@code Replier.reply(Object)}, as the engine calls an alternative and
 * {@code Rebound.wrap} resolves its interface) reads the same policies and names the same method a door intercepts:
 * the one the bridge calls, as the JVM dispatches the call. Every door names the method alike: its events as the
 * interface declares it, a bad attribute's problem by the method that carries it.
 */
class BridgeAnnotationsTest extends VirtualTime {

    private static final String SOURCE = """
            import dev.rebound.annotations.CircuitBreaker;
            import dev.rebound.annotations.NonIdempotent;
            import dev.rebound.annotations.Retry;

            public class Bridged {
                static int calls;

                /** Fails every other call: each call's first attempt fails, its retry answers. */
                static String answer(String question) {
                    if (++calls % 2 == 1) {
                        throw new IllegalStateException("first attempt");
                    }
                    return question;
                }

                public interface Replier<T> {
                    String reply(T question);
                }

                /** Its own override: a bridge reply(Object) under both compilers. */
                public static class Own implements Replier<String> {
                    @Override
                    @Retry(attempts = 2, delay = 0)
                    public String reply(String question) { return answer(question); }
                }

                /** A default method of an interface that fixes the type argument: its bridge is a default too. */
                public interface StringReplier extends Replier<String> {
                    @Override
                    @Retry(attempts = 2, delay = 0)
                    default String reply(String question) { return answer(question); }
                }

                public static class UsesDefault implements StringReplier {
                }

                /** A generic superclass's method, overridden below: ajc writes Leaf no bridge reply(Object). */
                public static class Mid<T extends CharSequence> implements Replier<T> {
                    @CircuitBreaker
                    public String reply(T question) { return "mid"; }
                }

                public static class Leaf extends Mid<String> {
                    @Override
                    @Retry(attempts = 2, delay = 0)
                    public String reply(String question) { return answer(question); }
                }

                /** A superclass that implements nothing: its subclass's bridge calls its body. */
                public static class Base {
                    @Retry(attempts = 2, delay = 0)
                    public String reply(String question) { return answer(question); }
                }

                public static class Inherits extends Base implements Replier<String> {
                }

                /** No policy: no door weaves or intercepts it, Rebound.wrap applies the builder's. */
                public static class Mailer implements Replier<String> {
                    @Override
                    @NonIdempotent
                    public String reply(String mail) { return mail; }
                }
            }
            """;

    /**
     * The same shapes, each with a bad attribute on the method that carries its policy (Mid, a superclass, has
     * none): no door may apply it, and every one names the method that carries it, as the source declares it.
     */
    private static final String MISCONFIGURED = """
            import dev.rebound.annotations.Retry;

            public class Misconfigured {
                public interface Replier<T> {
                    String reply(T question);
                }

                public static class Own implements Replier<String> {
                    @Retry(attempts = 0)
                    public String reply(String question) { return question; }
                }

                public interface StringReplier extends Replier<String> {
                    @Retry(attempts = 0)
                    default String reply(String question) { return question; }
                }

                public static class UsesDefault implements StringReplier {
                }

                public static class Mid<T extends CharSequence> implements Replier<T> {
                    public String reply(T question) { return "mid"; }
                }

                public static class Leaf extends Mid<String> {
                    @Retry(attempts = 0)
                    public String reply(String question) { return question; }
                }

                public static class Base {
                    @Retry(attempts = 0)
                    public String reply(String question) { return question; }
                }

                public static class Inherits extends Base implements Replier<String> {
                }
            }
            """;

    @TempDir
    Path dir;

    /** The classes of {@link #SOURCE} as javac compiles them, with processing off. */
    private ClassLoader javac() throws IOException {
        return javac("Bridged", SOURCE);
    }

    /** The classes of {@code source} as javac compiles them, with processing off. */
    private ClassLoader javac(String className, String source) throws IOException {
        return new Javac(Files.createDirectories(dir.resolve("javac-" + className)))
                .load(className, source);
    }

    /** The classes of {@link #SOURCE} as ajc compiles them, weaving Rebound's aspects as the Maven plugin does. */
    private ClassLoader ajc() throws IOException {
        return ajc("Bridged", SOURCE);
    }

    /** The classes of {@code source} as ajc compiles them, weaving Rebound's aspects as the Maven plugin does. */
    private ClassLoader ajc(String className, String source) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("ajc-" + className));
        Path file = new Javac(sources).write(className, source);
        Path out = sources.resolve("classes");
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-proc:none", "-classpath", Javac.CLASSPATH, "-aspectpath",
            Javac.location(ResilientMethods.class), "-d", out.toString(), file.toString()}, messages);
        assertThat(Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage)).isEmpty();
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, BridgeAnnotationsTest.class.getClassLoader());
    }

    private static Class<?> load(ClassLoader loader, String nested) throws ClassNotFoundException {
        return Class.forName("Bridged$" + nested, false, loader);
    }

    /** {@code Replier.reply(Object)}: the interface's method, erased, as the engine and Rebound.wrap call it. */
    private static Method erased(ClassLoader loader) throws ReflectiveOperationException {
        return load(loader, "Replier").getMethod("reply", Object.class);
    }

    /** The policy annotations on {@code type} for the erased method, and the method a door intercepts there. */
    private static List<String> read(ClassLoader loader, String type) throws ReflectiveOperationException {
        Class<?> impl = load(loader, type);
        Method intercepted = MethodScan.intercepted(impl, erased(loader));
        return List.of(String.join(" ", Policies.annotationsOf(impl, erased(loader))),
                Policies.describe(intercepted.getDeclaringClass(), intercepted) + (intercepted.isBridge() ? " bridge" : ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Own         | @Retry                 | Own.reply(String)",
        "UsesDefault | @Retry                 | StringReplier.reply(String)",
        "Leaf        | @Retry @CircuitBreaker | Leaf.reply(String)",
        "Inherits    | @Retry                 | Base.reply(String)"})
    void theInterfacesErasedMethodReadsThePoliciesOfTheMethodItsBridgeCallsWhicheverTheCompiler(String type,
            String policies, String intercepted) throws Exception {
        List<String> expected = List.of(policies, intercepted);

        assertThat(read(javac(), type)).as("javac's classes").isEqualTo(expected);
        assertThat(read(ajc(), type)).as("ajc's classes").isEqualTo(expected);
    }

    /**
     * {@code Rebound.wrap} with a builder retry over a class whose override of the interface's method is {@code
     * @NonIdempotent}: refused, the same problem whichever compiler built the class (never a retried send).
     */
    @Test
    void aBuilderRetryOfANonIdempotentOverrideIsRefusedWhicheverTheCompiler() throws Exception {
        String expected = "Replier.reply(Object): withRetry(attempts = 3) on a @NonIdempotent method must list the"
                + " failures that are safe to repeat it on, in RetryPolicy.Builder.retryOn";

        assertThat(refusal(javac())).as("javac's class").isEqualTo(expected);
        assertThat(refusal(ajc())).as("ajc's class").isEqualTo(expected);
    }

    /** The problem Rebound.wrap reports for a builder retry of 3 attempts over the loader's {@code Mailer}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String refusal(ClassLoader loader) throws Exception {
        Class replier = load(loader, "Replier");
        Object mailer = load(loader, "Mailer").getConstructor().newInstance();
        ReboundConfigurationException refused = catchThrowableOfType(() -> Rebound.wrap(replier, mailer)
                .withRetry(RetryPolicy.builder().attempts(3).build()).build(), ReboundConfigurationException.class);
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.problems()).hasSize(1);
        return refused.problems().get(0);
    }

    /**
     * Events name the method as the interface it belongs to declares it, {@code Replier.reply(Object)} as reflection
     * names it, whichever compiler built the class and whichever door resolved it: the woven advice and Guice a
     * class's {@code reply(String)}, Rebound.wrap the interface's erased method. The policy's interface, the one it
     * is written on when there is one: {@code StringReplier}, whose own {@code reply(String)} it is.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Own         | Replier.reply(Object)",
        "UsesDefault | StringReplier.reply(String)",
        "Leaf        | Replier.reply(Object)",
        "Inherits    | Replier.reply(Object)"})
    @SuppressWarnings({"unchecked", "rawtypes"})
    void eventsNameTheMethodAsItsInterfaceDeclaresItWhicheverTheCompilerAndTheDoor(String type, String method)
            throws Exception {
        ClassLoader ajc = ajc();
        erased(ajc).invoke(load(ajc, type).getConstructor().newInstance(), "q");
        ClassLoader javac = javac();
        Object plain = load(javac, type).getConstructor().newInstance();
        erased(javac).invoke(Rebound.wrap((Class) load(javac, "Replier"), plain).build(), "q");
        erased(javac).invoke(Guice.createInjector(new ReboundModule()).getInstance(load(javac, type)), "q");

        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED)
                .map(ReboundEvent::method).toList()).as("woven, wrapped, intercepted").containsExactly(method, method,
                        method);
    }

    // ---- a bad attribute behind a bridge: every door and the processor name the method that carries it, as the
    // source declares it, never a bridge (javac's reply(Object)) nor the interface's name with the class's
    // parameters (Replier.reply(String), which no type declares)

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Own         | Own.reply(String)",
        "UsesDefault | StringReplier.reply(String)",
        "Leaf        | Leaf.reply(String)",
        "Inherits    | Base.reply(String)"})
    void aBadAttributeIsNamedByTheMethodThatCarriesItWhicheverTheCompilerAndTheDoor(String type, String carrier)
            throws Exception {
        List<String> expected = List.of(carrier + ": @Retry.attempts = 0 is outside 1..100");

        assertThat(wovenInitialisation(ajc("Misconfigured", MISCONFIGURED), type)).as("ajc's class, initialised")
                .isEqualTo(expected);
        ClassLoader javac = javac("Misconfigured", MISCONFIGURED);
        assertThat(wrapProblems(javac, type)).as("javac's class, Rebound.wrap(Replier.class, ...)")
                .isEqualTo(expected);
        assertThat(guiceProblems(javac, type)).as("javac's class, intercepted by ReboundModule")
                .isEqualTo(expected);
    }

    /** The processor names each bad attribute by the method it is written on, as the runtime does. */
    @Test
    void theProcessorNamesABadAttributeByTheMethodThatCarriesItAsEveryDoorDoes() throws IOException {
        assertThat(new Javac(Files.createDirectories(dir.resolve("processor")))
                .errors("Misconfigured", MISCONFIGURED))
                .containsExactlyInAnyOrder(
                        "Own.reply(String): @Retry.attempts = 0 is outside 1..100",
                        "StringReplier.reply(String): @Retry.attempts = 0 is outside 1..100",
                        "Leaf.reply(String): @Retry.attempts = 0 is outside 1..100",
                        "Base.reply(String): @Retry.attempts = 0 is outside 1..100");
    }

    /** The problems the initialisation of the woven {@code Misconfigured$type} fails with. */
    private static List<String> wovenInitialisation(ClassLoader loader, String type) {
        Throwable failed = catchThrowableOfType(() -> Class.forName("Misconfigured$" + type, true, loader),
                ExceptionInInitializerError.class);
        assertThat(failed).as("the initialisation fails").isNotNull();
        assertThat(failed.getCause()).isInstanceOf(ReboundConfigurationException.class);
        return ((ReboundConfigurationException) failed.getCause()).problems();
    }

    /** The problems Rebound.wrap reports over an instance of javac's {@code Misconfigured$type}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<String> wrapProblems(ClassLoader loader, String type) throws Exception {
        Class replier = Class.forName("Misconfigured$Replier", false, loader);
        Object instance = Class.forName("Misconfigured$" + type, true, loader).getConstructor().newInstance();
        ReboundConfigurationException refused = catchThrowableOfType(() -> Rebound.wrap(replier, instance).build(),
                ReboundConfigurationException.class);
        assertThat(refused).as("refused").isNotNull();
        return refused.problems();
    }

    /** The errors of an injector that ReboundModule intercepts javac's {@code Misconfigured$type} in. */
    private static List<String> guiceProblems(ClassLoader loader, String type) throws Exception {
        Class<?> impl = Class.forName("Misconfigured$" + type, true, loader);
        CreationException refused = catchThrowableOfType(() -> Guice.createInjector(new ReboundModule(),
                binder -> binder.bind(impl)), CreationException.class);
        assertThat(refused).as("refused").isNotNull();
        return refused.getErrorMessages().stream().map(com.google.inject.spi.Message::getMessage).toList();
    }
}
