package dev.rebound.runtime.spi;

import java.lang.reflect.UndeclaredThrowableException;

/**
 * The superclass of the classes the weaver's annotation processor generates for {@code Rebound.wrap}:
 * for an interface {@code app.Chat} that carries a policy (or {@code @GenerateWrapper}), the class
 * {@code app.Chat$$Rebound}, which {@code Rebound.wrap(Chat.class, target)} uses instead of a JDK
 * proxy. Each of its methods speaks the door protocol of {@link ResilientMethod} with a direct call to
 * the target (no argument array, no reflection on the happy path).
 *
 * <p>Not for applications: only generated code extends it. A generated class declares, in the order
 * its constructor takes their policies, the methods it implements ({@value #METHODS_FIELD}: each as
 * its name, JVM descriptor and declared checked exceptions, e.g.
 * {@code chat(Ljava/lang/String;)Ljava/lang/String;^Ljava/io/IOException;}), and a
 * constructor {@code (Chat target, String name, ResilientMethod[] policies)}; the runtime uses it only
 * when that list is exactly the interface's methods.
 *
 * <p>Behaves as {@code Rebound.wrap}'s JDK proxy: {@code equals} is identity, {@code hashCode} the
 * identity hash, {@code toString} {@code Rebound(name)}; a failure reaches the caller unchanged when it
 * is unchecked or declared by the method, else wrapped in an {@link UndeclaredThrowableException}.
 */
public abstract class GeneratedWrapper {

    /** The name of the generated class's static {@code String[]} listing its methods. */
    public static final String METHODS_FIELD = "METHODS";

    /** The suffix of a generated class's binary name: {@code app.Chat} gets {@code app.Chat$$Rebound}. */
    public static final String SUFFIX = "$$Rebound";

    /** The checked exceptions of a method that declares none. */
    protected static final Class<?>[] NONE = {};

    private final Object target;
    private final String name;
    private final ResilientMethod[] policies;
    private final boolean anyPolicy;

    /**
     * @param target the wrapped object
     * @param name how events name the target
     * @param policies each method's policy, in the order of {@value #METHODS_FIELD}; null for a method
     *     without one
     */
    protected GeneratedWrapper(Object target, String name, ResilientMethod[] policies) {
        this.target = target;
        this.name = name;
        this.policies = policies.clone();
        boolean any = false;
        for (ResilientMethod p : this.policies) {
            any |= p != null;
        }
        this.anyPolicy = any;
    }

    /**
     * What a generated method throws for {@code failure}, as a JDK proxy would: the failure itself
     * when it is unchecked or an instance of one of {@code declared}, else an
     * {@link UndeclaredThrowableException} around it. Never returns.
     */
    protected static RuntimeException rethrow(Throwable failure, Class<?>[] declared) {
        if (failure instanceof RuntimeException || failure instanceof Error) {
            throw GeneratedWrapper.<RuntimeException>sneaky(failure);
        }
        for (Class<?> c : declared) {
            if (c.isInstance(failure)) {
                throw GeneratedWrapper.<RuntimeException>sneaky(failure);
            }
        }
        throw new UndeclaredThrowableException(failure);
    }

    /** The most parameters a method may have for {@code failedWith} and {@code retried}. */
    protected static final int MAX_LENT = 4;

    /**
     * {@code policy.failed(failure, start, target, [a0], invoker)}, as {@link ResilientMethod#failedAt}
     * for the first attempt's failure: the engine lends the call an argument array only when it needs
     * one, so that a failed call allocates no array. (Classes generated before {@link #retried} call it.)
     */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0) throws Throwable {
        return policy.failedAt(null, failure, failure, 1, start, target, invoker, 1, a0, null, null, null);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, two arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1) throws Throwable {
        return policy.failedAt(null, failure, failure, 1, start, target, invoker, 2, a0, a1, null, null);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, three arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1, Object a2) throws Throwable {
        return policy.failedAt(null, failure, failure, 1, start, target, invoker, 3, a0, a1, a2, null);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, four arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1, Object a2, Object a3) throws Throwable {
        return policy.failedAt(null, failure, failure, 1, start, target, invoker, 4, a0, a1, a2, a3);
    }

    /**
     * Attempt {@code attempt} of the primary failed with {@code failure} ({@code first} being the
     * call's first failure, {@code call} null at the first attempt, else what the previous report
     * returned): {@link ResilientMethod#failedAt}. A {@link QuietRetry} tells the generated method to
     * call its target again now; anything else is the call's result. A method without parameters.
     */
    protected static Object retried(ResilientMethod policy, Object call, Throwable first, Throwable failure,
            int attempt, long start, Object target, Invoker invoker) throws Throwable {
        return policy.failedAt(call, first, failure, attempt, start, target, invoker, 0, null, null, null, null);
    }

    /** As {@link #retried(ResilientMethod, Object, Throwable, Throwable, int, long, Object, Invoker)}, one argument. */
    protected static Object retried(ResilientMethod policy, Object call, Throwable first, Throwable failure,
            int attempt, long start, Object target, Invoker invoker, Object a0) throws Throwable {
        return policy.failedAt(call, first, failure, attempt, start, target, invoker, 1, a0, null, null, null);
    }

    /** As {@link #retried(ResilientMethod, Object, Throwable, Throwable, int, long, Object, Invoker)}, two arguments. */
    protected static Object retried(ResilientMethod policy, Object call, Throwable first, Throwable failure,
            int attempt, long start, Object target, Invoker invoker, Object a0, Object a1) throws Throwable {
        return policy.failedAt(call, first, failure, attempt, start, target, invoker, 2, a0, a1, null, null);
    }

    /** As {@link #retried(ResilientMethod, Object, Throwable, Throwable, int, long, Object, Invoker)}, three arguments. */
    protected static Object retried(ResilientMethod policy, Object call, Throwable first, Throwable failure,
            int attempt, long start, Object target, Invoker invoker, Object a0, Object a1, Object a2) throws Throwable {
        return policy.failedAt(call, first, failure, attempt, start, target, invoker, 3, a0, a1, a2, null);
    }

    /** As {@link #retried(ResilientMethod, Object, Throwable, Throwable, int, long, Object, Invoker)}, four arguments. */
    protected static Object retried(ResilientMethod policy, Object call, Throwable first, Throwable failure,
            int attempt, long start, Object target, Invoker invoker, Object a0, Object a1, Object a2, Object a3)
            throws Throwable {
        return policy.failedAt(call, first, failure, attempt, start, target, invoker, 4, a0, a1, a2, a3);
    }

    @SuppressWarnings("unchecked")
    private static <X extends Throwable> X sneaky(Throwable t) throws X {
        throw (X) t;
    }

    /** Identity, as the JDK proxy's. */
    @Override
    public final boolean equals(Object other) {
        return this == other;
    }

    /** The identity hash, as the JDK proxy's. */
    @Override
    public final int hashCode() {
        return System.identityHashCode(this);
    }

    /** {@code Rebound(name)}, as the JDK proxy's. */
    @Override
    public final String toString() {
        return "Rebound(" + name + ")";
    }

    /** How events name {@code wrapper}'s target. */
    public static String nameOf(GeneratedWrapper wrapper) {
        return wrapper.name;
    }

    /** The object {@code wrapper} calls. */
    public static Object targetOf(GeneratedWrapper wrapper) {
        return wrapper.target;
    }

    /** Whether {@code wrapper} applies a policy to at least one of its methods. */
    public static boolean appliesAnyPolicy(GeneratedWrapper wrapper) {
        return wrapper.anyPolicy;
    }

    /** The policy of {@code wrapper}'s method at {@code index} in its {@value #METHODS_FIELD}, or null. */
    public static ResilientMethod policyAt(GeneratedWrapper wrapper, int index) {
        return wrapper.policies[index];
    }
}
