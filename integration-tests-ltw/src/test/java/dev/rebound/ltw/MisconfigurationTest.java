package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.ltw.app.Chat;
import dev.rebound.ltw.app.Level;
import dev.rebound.ltw.app.Misplaced;
import dev.rebound.ltw.app.Rated;
import dev.rebound.annotations.Retry;
import dev.rebound.ltw.deployment.Ask;
import dev.rebound.ltw.generated.OutOfRangeChat;
import dev.rebound.runtime.ReboundConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.bytebuddy.implementation.FixedValue;
import org.junit.jupiter.api.Test;

/** Under the agent, bad annotations are reported when the class loads or initialises, never on a call. */
class MisconfigurationTest {

    @Test
    void aMisconfiguredClassFailsItsInitialisationNamingMethodAndAttribute() {
        Throwable thrown = catchThrowable(Chat.OutOfRange::new);

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems())
                .as("named by the method that carries the @Retry")
                .containsExactly("OutOfRange.chat(String): @Retry.attempts = 101 is outside 1..100");
    }

    /**
     * A class a generator wrote over Object for a misconfigured interface (Micronaut's client
     * {@code OutOfRangeChat$Intercepted}, synthetic), woven by the agent, fails its initialisation as a plain class
     * of the application's does: no class above it validated the policies its calls run under.
     */
    @Test
    void aClassAGeneratorWroteOverObjectFailsItsInitialisationAsAPlainOneDoes() {
        Class<?> plain = OverObject.plain("OutOfRangeChatImpl", OutOfRangeChat.class, FixedValue.value("ok"));
        Class<?> client = OverObject.micronautClient(OutOfRangeChat.class, FixedValue.value("ok"), false);
        assertThat(client.isSynthetic()).isTrue();

        for (Class<?> c : List.of(plain, client)) {
            Throwable thrown = catchThrowable(() -> OverObject.instance(c, OutOfRangeChat.class));

            assertThat(WeaveLog.wove(c.getName())).as(c.getName()).isTrue();
            assertThat(thrown).as(c.getName()).isInstanceOf(ExceptionInInitializerError.class);
            assertThat(((ReboundConfigurationException) thrown.getCause()).problems()).as(c.getName())
                    .containsExactly("OutOfRangeChat.ask(String): @Retry.attempts = 101 is outside 1..100");
        }
    }

    /** An interface with a policy that a generator's class implements with a synchronized method. */
    public interface HeldChat {
        @Retry(attempts = 3, delay = 0)
        String ask(String q);
    }

    /**
     * A synchronized method of a class a generator wrote over Object (Micronaut's client), which a policy reaches,
     * is said as the class initialises, as for a class of the application's.
     */
    @Test
    void aSynchronizedMethodOfAClassAGeneratorWroteOverObjectIsSaidAsItInitialises() throws Exception {
        Class<?> client = OverObject.micronautClient(HeldChat.class, FixedValue.value("ok"), true);
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        HeldChat chat;
        try {
            chat = OverObject.instance(client, HeldChat.class);
        } finally {
            System.setErr(saved);
        }

        assertThat(Modifier.isSynchronized(client.getMethod("ask", String.class).getModifiers())).isTrue();
        assertThat(chat.ask("q")).isEqualTo("ok");
        assertThat(captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("WARN dev.rebound")))
                .singleElement().asString().endsWith("HeldChat$Intercepted.ask(String) (under the policy of"
                        + " HeldChat.ask(String)) is synchronized: woven, it holds the object's monitor through every"
                        + " attempt of its policy and every wait between them (up to maxDelay each), so the object's"
                        + " other synchronized callers wait for the whole call. Synchronize inside the method's body or"
                        + " in its caller, or apply the policy through Guice's ReboundModule or Rebound.wrap, which"
                        + " release the monitor between attempts");
    }

    @Test
    void aMisconfiguredEnumFailsItsInitialisationNotItsFirstCall() {
        // Class.forName initialises the enum and calls none of its methods
        Throwable thrown = catchThrowable(() -> Class.forName(Rated.Tier.class.getName()));

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems())
                .containsExactly("Rated.rate(String): @Retry.attempts = 101 is outside 1..100");
    }

    @Test
    void aPolicyOnAnEnumsOwnTypeFailsItsInitialisationInTheWordsOfTheBuild() {
        Throwable thrown = catchThrowable(() -> Class.forName(Level.class.getName()));

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems())
                .containsExactly("Level: a policy on an enum's type is not woven (the aspect applies the annotations"
                        + " on an enum's methods and on its interfaces only): put @Retry, @Fallback, @CircuitBreaker"
                        + " or @RateLimit on its methods");
    }

    @Test
    void anAnnotationOnANonPublicMethodIsAWeavingErrorNamingTheMethod() {
        new Misplaced();

        assertThat(WeaveLog.messages()).anyMatch(m -> m.startsWith("Rebound: @Retry")
                && m.endsWith(" apply to public methods only (java.lang.String dev.rebound.ltw.app.Misplaced.hidden())"));
    }

    /**
     * A deployment (an application server's, with Rebound in the parent loader) that defines the classes of
     * {@code dev.rebound.ltw.deployment} itself, without {@link Ask.Backup}.
     */
    static final class WithoutBackup extends ClassLoader {
        WithoutBackup() {
            super(MisconfigurationTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(Ask.class.getPackageName() + ".")) {
                return super.loadClass(name, resolve);
            }
            if (name.equals(Ask.Backup.class.getName())) {
                throw new ClassNotFoundException(name);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    @Test
    void aFallbackClassMissingFromTheDeploymentFailsTheInitialisationNamingTheMethodAndAttribute() {
        Throwable thrown = catchThrowable(() -> Class.forName(Ask.Primary.class.getName(), true, new WithoutBackup()));

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(thrown.getCause()).isInstanceOf(ReboundConfigurationException.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems()).containsExactly(
                "Ask.ask(String): @Fallback.to dev.rebound.ltw.deployment.Ask$Backup is missing at run time: the "
                        + "annotated class was compiled with it, but its class loader cannot load it (deploy it beside "
                        + "the annotated class, or remove it from @Fallback.to)");
    }
}
