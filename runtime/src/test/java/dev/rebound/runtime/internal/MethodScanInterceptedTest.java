package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * The method a door intercepts when the engine calls an interface's method on an alternative, the one its mark
 * names ({@link MethodScan#intercepted}): the body that runs, as a woven advice's join point and Guice's
 * invocation name it, never a javac bridge. Shapes compiled by javac, as an application's are.
 */
class MethodScanInterceptedTest {

    public interface Chat {
        String chat(String prompt);
    }

    public static class Own implements Chat {
        @Override
        public String chat(String prompt) {
            return "own";
        }
    }

    public static class Inherits extends Own {
    }

    public interface WithDefault {
        default String chat(String prompt) {
            return "default";
        }
    }

    public static class UsesDefault implements WithDefault {
    }

    public interface Handler<T> {
        String handle(T event);
    }

    public static class StringHandler implements Handler<String> {
        @Override
        public String handle(String event) {
            return event;
        }
    }

    public abstract static class AbstractCalls<T> {
        public String call(T argument) {
            return "body";
        }
    }

    public interface Calls {
        String call(String argument);
    }

    public static class GenericBody extends AbstractCalls<String> implements Calls {
    }

    public interface Source {
        Object next();
    }

    public static class Strings implements Source {
        @Override
        public String next() {
            return "next";
        }
    }

    public static class Base {
        public String handle(String event) {
            return "base";
        }
    }

    /** Its bridge {@code handle(Object)}, for {@code Handler<String>}, calls the body it inherits from Base. */
    public static class InheritsBody extends Base implements Handler<String> {
    }

    static class Hidden {
        public String chat(String prompt) {
            return "hidden";
        }
    }

    public static class Visible extends Hidden implements Chat {
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        return type.getDeclaredMethod(name, parameters);
    }

    @Test
    void aClassesOwnMethodIsTheOneItsDoorIntercepts() throws NoSuchMethodException {
        assertThat(MethodScan.intercepted(Own.class, method(Chat.class, "chat", String.class)))
                .isEqualTo(method(Own.class, "chat", String.class));
    }

    @Test
    void anInheritedBodyIsItsSuperclasssMethod() throws NoSuchMethodException {
        assertThat(MethodScan.intercepted(Inherits.class, method(Chat.class, "chat", String.class)))
                .isEqualTo(method(Own.class, "chat", String.class));
    }

    @Test
    void anInheritedDefaultIsTheInterfacesMethod() throws NoSuchMethodException {
        assertThat(MethodScan.intercepted(UsesDefault.class, method(WithDefault.class, "chat", String.class)))
                .isEqualTo(method(WithDefault.class, "chat", String.class));
    }

    @Test
    void aGenericInterfacesMethodIsTheOverrideItsBridgeCalls() throws NoSuchMethodException {
        Method bridge = method(StringHandler.class, "handle", Object.class);
        assertThat(bridge.isBridge()).isTrue();

        assertThat(MethodScan.intercepted(StringHandler.class, method(Handler.class, "handle", Object.class)))
                .isEqualTo(method(StringHandler.class, "handle", String.class));
    }

    @Test
    void aMethodAGenericSuperclassRunsIsThatSuperclasssBody() throws NoSuchMethodException {
        assertThat(method(GenericBody.class, "call", String.class).isBridge()).isTrue();

        assertThat(MethodScan.intercepted(GenericBody.class, method(Calls.class, "call", String.class)))
                .isEqualTo(method(AbstractCalls.class, "call", Object.class));
    }

    @Test
    void aNarrowerResultIsTheOverrideNotItsBridge() throws NoSuchMethodException {
        Method intercepted = MethodScan.intercepted(Strings.class, method(Source.class, "next"));

        assertThat(intercepted.isBridge()).isFalse();
        assertThat(intercepted.getReturnType()).isEqualTo(String.class);
        assertThat(intercepted.getDeclaringClass()).isEqualTo(Strings.class);
    }

    @Test
    void aGenericInterfacesMethodImplementedByABodyFromASuperclassThatImplementsNothingIsThatBody()
            throws NoSuchMethodException {
        assertThat(method(InheritsBody.class, "handle", Object.class).isBridge()).isTrue();

        assertThat(MethodScan.intercepted(InheritsBody.class, method(Handler.class, "handle", Object.class)))
                .isEqualTo(method(Base.class, "handle", String.class));
    }

    @Test
    void aPublicClassesAccessBridgeIsItsHiddenSuperclasssMethod() throws NoSuchMethodException {
        assertThat(method(Visible.class, "chat", String.class).isBridge()).isTrue();

        assertThat(MethodScan.intercepted(Visible.class, method(Chat.class, "chat", String.class)))
                .isEqualTo(method(Hidden.class, "chat", String.class));
    }

    @Test
    void aClassWithoutTheMethodGivesTheMethodCalled() throws NoSuchMethodException {
        Method called = method(Chat.class, "chat", String.class);

        assertThat(MethodScan.intercepted(Source.class, called)).isSameAs(called);
    }
}
