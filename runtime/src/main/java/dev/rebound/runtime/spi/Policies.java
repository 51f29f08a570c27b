package dev.rebound.runtime.spi;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.AnnotationPolicies;
import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import java.lang.reflect.Method;
import java.util.function.Function;
import java.util.function.Supplier;

/** Resolves annotations into {@link ResilientMethod}s: the one entry every door uses. */
public final class Policies {

    private Policies() {
    }

    /**
     * The policy of {@code method} on instances of {@code implClass}, or null when no annotation
     * applies. Alternatives come from {@code alternatives}, asked once per class at resolution.
     *
     * @param settings fixed settings, or null to read {@link ReboundSettings#global()} live
     * @throws ReboundConfigurationException naming the method and attribute of every problem
     */
    public static ResilientMethod resolve(Class<?> implClass, Method method, ReboundSettings settings,
            Function<Class<?>, Supplier<?>> alternatives) {
        MethodSpec spec = AnnotationPolicies.resolve(implClass, method, settings, alternatives);
        return spec == null ? null : Chains.executorOf(spec);
    }

    /**
     * As {@link #resolve(Class, Method, ReboundSettings, Function)}, with alternatives made once by
     * the {@link AlternativeResolver} of the global settings (by default, public no-arg constructors).
     */
    public static ResilientMethod resolve(Class<?> implClass, Method method) {
        return resolve(implClass, method, null, type -> {
            Object instance = ReboundSettings.global().alternatives().instanceOf(type);
            return () -> instance;
        });
    }

    /** {@code ChatClient.chat(String)}: how logs and errors name a method. */
    public static String describe(Class<?> owner, Method method) {
        return AnnotationPolicies.describe(owner, method);
    }
}
