package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.Rebound;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.aspectj.ResilientMethods;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.MessageHandler;
import org.aspectj.tools.ajc.Main;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An annotated interface from a jar built by plain javac (never woven), implemented in a module that
 * ajc builds with rebound-weaver as its aspect library: the policy applies whether it sits on the
 * interface's method or on the interface itself (aspectj.md, "A quiet build"), and the same for an
 * annotated superclass from the jar.
 */
class UnwovenInterfaceTest extends VirtualTime {

    @TempDir
    Path dir;

    private Javac javac;

    @BeforeEach
    void compileTheLibraryWithJavac() throws IOException {
        javac = new Javac(dir);
        javac.loadFrom("lib", "TypeLevel", """
                package lib;
                @dev.rebound.annotations.Retry(attempts = 3)
                public interface TypeLevel { String call(String prompt); }
                """, false);
        javac.loadFrom("lib", "MethodLevel", """
                package lib;
                public interface MethodLevel { @dev.rebound.annotations.Retry(attempts = 3) String call(String prompt); }
                """, false);
        javac.loadFrom("lib", "TypeLevelBase", """
                package lib;
                @dev.rebound.annotations.Retry(attempts = 3)
                public abstract class TypeLevelBase { }
                """, false);
        javac.loadFrom("lib", "Unannotated", """
                package lib;
                public interface Unannotated { String call(String prompt); }
                """, false);
    }

    /** The members of {@code app.Impl} and {@code app.Tier}: {@code call} always fails, counting its attempts. */
    private static final String FAILING_CALL = """
                public int calls;
                public RuntimeException last;
                public String call(String prompt) {
                    calls++;
                    last = new IllegalStateException("attempt " + calls);
                    throw last;
                }
            """;

    /** The class {@code app.Impl}, compiled by ajc over the javac-built library, loaded with it. */
    private Class<?> ajc(String implementsClause, String extra) throws Exception {
        return compile("Impl", """
                package app;
                public class Impl %s {
                %s}
                %s
                """.formatted(implementsClause, FAILING_CALL, extra));
    }

    /** The enum {@code app.Tier} (one constant, {@code GOLD}), compiled by ajc over the javac-built library. */
    private Object ajcEnum(String implementsClause) throws Exception {
        return compile("Tier", """
                package app;
                public enum Tier %s {
                    GOLD;
                %s}
                """.formatted(implementsClause, FAILING_CALL)).getEnumConstants()[0];
    }

    /** The class {@code app.<className>} of {@code source}, compiled by ajc over the javac-built library. */
    private Class<?> compile(String className, String source) throws Exception {
        Path file = javac.write(className, source);
        Path lib = dir.resolve("lib");
        Path out = dir.resolve("out");
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-proc:none", "-classpath", Javac.CLASSPATH + File.pathSeparator + lib,
            "-aspectpath", Javac.location(ResilientMethods.class), "-d", out.toString(), file.toString()}, messages);
        assertThat(Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage).toList())
                .isEmpty();
        URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL(), lib.toUri().toURL()},
                getClass().getClassLoader());
        return loader.loadClass("app." + className);
    }

    /** Calls {@code impl.call("p")}, which always fails: the attempts it made and the exception the caller got. */
    private static void assertAttempts(Object impl, int attempts) throws Exception {
        Throwable thrown = catchThrowable(() -> impl.getClass().getMethod("call", String.class).invoke(impl, "p"));
        assertThat(thrown).isInstanceOf(InvocationTargetException.class);
        assertThat(impl.getClass().getField("calls").getInt(impl)).isEqualTo(attempts);
        assertThat(thrown.getCause()).isSameAs(impl.getClass().getField("last").get(impl));
    }

    @Test
    void anImplementationOfATypeLevelAnnotatedInterfaceIsRetried() throws Exception {
        Class<?> impl = ajc("implements lib.TypeLevel", "");
        Object instance = impl.getConstructor().newInstance();

        assertThat(Woven.class.isAssignableFrom(impl)).isTrue();
        assertThat(Rebound.isResilient(instance)).isTrue();
        assertAttempts(instance, 3);
    }

    @Test
    void anImplementationOfAMethodLevelAnnotatedInterfaceIsRetried() throws Exception {
        Object instance = ajc("implements lib.MethodLevel", "").getConstructor().newInstance();

        assertAttempts(instance, 3);
    }

    @Test
    void anImplementationOfAnInterfaceThatExtendsATypeLevelAnnotatedOneIsRetried() throws Exception {
        Class<?> impl = ajc("implements Sub", "interface Sub extends lib.TypeLevel {}");

        assertThat(Woven.class.isAssignableFrom(impl)).isTrue();
        assertAttempts(impl.getConstructor().newInstance(), 3);
    }

    @Test
    void aSubclassOfAnAbstractImplementationOfATypeLevelAnnotatedInterfaceIsRetried() throws Exception {
        // Impl's superclass Base is compiled by ajc too; the interface is the javac-built one
        Class<?> impl = ajc("extends Base", "abstract class Base implements lib.TypeLevel {}");

        assertAttempts(impl.getConstructor().newInstance(), 3);
    }

    @Test
    void aSubclassOfATypeLevelAnnotatedSuperclassFromTheJarIsRetried() throws Exception {
        Class<?> impl = ajc("extends lib.TypeLevelBase", "");

        assertAttempts(impl.getConstructor().newInstance(), 3);
    }

    @Test
    void anEnumImplementingAMethodLevelAnnotatedInterfaceIsRetried() throws Exception {
        Object gold = ajcEnum("implements lib.MethodLevel");

        assertAttempts(gold, 3);
        assertThat(Rebound.isResilient(gold)).isTrue();
    }

    @Test
    void anEnumImplementingATypeLevelAnnotatedInterfaceIsRetried() throws Exception {
        Object gold = ajcEnum("implements lib.TypeLevel");

        assertAttempts(gold, 3);
        assertThat(Rebound.isResilient(gold)).isTrue();
    }

    @Test
    void anEnumImplementingAnUnannotatedInterfaceIsLeftAlone() throws Exception {
        Object gold = ajcEnum("implements lib.Unannotated");

        assertThat(Rebound.isResilient(gold)).isFalse();
        assertAttempts(gold, 1);
    }

    @Test
    void anImplementationOfAnUnannotatedInterfaceIsLeftAlone() throws Exception {
        Class<?> impl = ajc("implements lib.Unannotated", "");

        assertThat(Woven.class.isAssignableFrom(impl)).isFalse();
        assertAttempts(impl.getConstructor().newInstance(), 1);
    }
}
