package dev.rebound.ltw;

import dev.rebound.ltw.generated.Copier;
import io.micronaut.aop.Introduced;
import io.quarkus.arc.ClientProxy;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.ModifierContributor;
import net.bytebuddy.description.modifier.SynchronizationState;
import net.bytebuddy.description.modifier.SyntheticState;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Classes Micronaut and Quarkus's ArC write at build time over {@code Object} for an interface of the
 * application's, made as they make them (top level, flagged synthetic, their generator's interface beside the
 * application's, in the order they list them), and a plain class for comparison: defined in the application's
 * package {@code dev.rebound.ltw.generated}, where the agent weaves them as any class of the application's. Each
 * implements {@code String ask(String)}.
 */
final class OverObject {

    private OverObject() {
    }

    /**
     * Micronaut's introduction advice over {@code type} (a declarative HTTP client, a repository):
     * {@code Type$Intercepted}, flagged {@code ACC_SYNTHETIC} alone (so not public), extends Object, implements
     * {@code type}, then {@code io.micronaut.aop.Introduced}; {@code ask} answers the calls (synchronized when
     * {@code synchronizedAsk}).
     */
    static Class<?> micronautClient(Class<?> type, Implementation ask, boolean synchronizedAsk) {
        DynamicType.Builder<Object> client = over(type.getSimpleName() + "$Intercepted", true,
                Visibility.PACKAGE_PRIVATE).implement(type, Introduced.class);
        return load(synchronizedAsk
                ? client.defineMethod("ask", String.class, Visibility.PUBLIC, SynchronizationState.SYNCHRONIZED)
                        .withParameters(String.class).intercept(ask)
                : client.method(ElementMatchers.named("ask")).intercept(ask));
    }

    /**
     * ArC's client proxy of a bean whose type is the interface {@code type} (a producer's bean):
     * {@code Type_ClientProxy}, public and synthetic, extends Object, implements {@code io.quarkus.arc.ClientProxy},
     * then {@code type}; {@code arc_contextualInstance()} answers {@code instance}, to which each call of
     * {@code ask} goes, as ArC's {@code arc$delegate()} hands it.
     */
    static <T> Class<?> arcClientProxy(Class<T> type, T instance) throws NoSuchMethodException {
        return arcClientProxy(type.getSimpleName() + "_ClientProxy", type, instance);
    }

    /** As {@link #arcClientProxy(Class, Object)}, named {@code simpleName} (ArC's name for a second bean of a type). */
    static <T> Class<?> arcClientProxy(String simpleName, Class<T> type, T instance) throws NoSuchMethodException {
        return arcClientProxy(simpleName, type, instance, new AtomicInteger());
    }

    /** As {@link #arcClientProxy(String, Class, Object)}, counting in {@code asked} its calls of arc_contextualInstance(). */
    static <T> Class<?> arcClientProxy(String simpleName, Class<T> type, T instance, AtomicInteger asked)
            throws NoSuchMethodException {
        return arcClientProxy(simpleName, type, instance, asked, "ask");
    }

    /**
     * As {@link #arcClientProxy(String, Class, Object)}, handing the calls of the methods named {@code delegated} to
     * {@code instance} (ArC's own hands every method of the bean's type, default methods included); any other method
     * of {@code type} runs as {@code type} has it (a default method: its body, on the proxy).
     */
    static <T> Class<?> arcClientProxy(String simpleName, Class<T> type, T instance, String... delegated) {
        return arcClientProxy(simpleName, type, instance, new AtomicInteger(), delegated);
    }

    private static <T> Class<?> arcClientProxy(String simpleName, Class<T> type, T instance, AtomicInteger asked,
            String... delegated) {
        return load(over(simpleName, true, Visibility.PUBLIC)
                .implement(ClientProxy.class, type)
                // held as a Callable and a T (a static field of the instance's own class would not resolve for a
                // lambda's, a hidden class)
                .method(ElementMatchers.named("arc_contextualInstance")).intercept(MethodCall.call(() -> {
                    asked.incrementAndGet();
                    return instance;
                }))
                .method(ElementMatchers.namedOneOf(delegated)).intercept(MethodCall.invokeSelf()
                        .on(instance, type).withAllArguments()));
    }

    /**
     * ArC's client proxy of a bean whose type is the class {@code bean}: {@code simpleName} ({@code Bean_ClientProxy}),
     * public and synthetic, extends {@code bean}, implements {@code io.quarkus.arc.ClientProxy};
     * {@code arc_contextualInstance()} answers {@code instance}, to which each call of the methods named
     * {@code delegated} goes. ArC overrides every
     * method it can: one it cannot (final) runs on the proxy itself, as the bean's class has it.
     */
    static <T> Class<? extends T> arcClientProxyOfClass(String simpleName, Class<T> bean, T instance,
            String... delegated) {
        DynamicType.Builder<T> proxy = new ByteBuddy().subclass(bean).name(bean.getPackageName() + "." + simpleName)
                .modifiers(Visibility.PUBLIC, SyntheticState.SYNTHETIC)
                .implement(ClientProxy.class)
                .method(ElementMatchers.named("arc_contextualInstance")).intercept(MethodCall.call(() -> instance))
                .method(ElementMatchers.namedOneOf(delegated)).intercept(MethodCall.invokeSelf()
                        .on(instance, bean).withAllArguments());
        return load(proxy).asSubclass(bean);
    }

    /** A class of the application's named {@code simpleName}, public, not synthetic, implementing {@code type}. */
    static Class<?> plain(String simpleName, Class<?> type, Implementation ask) {
        return load(over(simpleName, false, Visibility.PUBLIC).implement(type)
                .method(ElementMatchers.named("ask")).intercept(ask));
    }

    /**
     * {@code compiled}'s class file, as javac wrote it, defined again as a hidden class in its package: the agent never
     * sees a hidden class (as a lambda's), so it stands for a class no weaver reached.
     */
    static Class<?> hidden(Class<?> compiled) {
        try (java.io.InputStream in = compiled.getClassLoader()
                .getResourceAsStream(compiled.getName().replace('.', '/') + ".class")) {
            return MethodHandles.privateLookupIn(compiled, MethodHandles.lookup()).defineHiddenClass(in.readAllBytes(),
                    true).lookupClass();
        } catch (java.io.IOException | IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An instance of {@code generated} through its no-argument constructor, which may not be public. */
    static <T> T instance(Class<?> generated, Class<T> type) throws ReflectiveOperationException {
        Constructor<?> constructor = generated.getDeclaredConstructor();
        constructor.setAccessible(true);
        return type.cast(constructor.newInstance());
    }

    private static DynamicType.Builder<Object> over(String simpleName, boolean synthetic, Visibility visibility) {
        return new ByteBuddy().subclass(Object.class).name(Copier.class.getPackageName() + "." + simpleName)
                .modifiers(synthetic ? new ModifierContributor.ForType[] {visibility, SyntheticState.SYNTHETIC}
                        : new ModifierContributor.ForType[] {visibility});
    }

    private static Class<?> load(DynamicType.Builder<?> type) {
        try {
            return type.make().load(Copier.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(
                    MethodHandles.privateLookupIn(Copier.class, MethodHandles.lookup()))).getLoaded();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
