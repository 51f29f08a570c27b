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
 * its name and JVM descriptor, e.g. {@code chat(Ljava/lang/String;)Ljava/lang/String;}), and a
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

    /** The most parameters a method may have for {@code failedWith} to lend it an argument array. */
    protected static final int MAX_LENT = 4;

    /**
     * Each thread's spare argument arrays, by length (1 to {@link #MAX_LENT}): lent to a failed first
     * attempt for the rest of its call, cleared and given back when the call ends; null while lent (a
     * call nested on the same thread then gets a new one). Nothing of a call stays in them.
     */
    private static final PerThread<Object[][]> SPARE = new PerThread<>(() -> {
        Object[][] byLength = new Object[MAX_LENT + 1][];
        for (int n = 1; n <= MAX_LENT; n++) {
            byLength[n] = new Object[n];
        }
        return byLength;
    });

    /**
     * {@code policy.failed(failure, start, target, [a0], invoker)} with an argument array lent by this
     * thread for the call (a synchronous first attempt's failure: the engine reads the arguments only
     * during the call), so that a failed call allocates no array.
     */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0) throws Throwable {
        Object[][] spare = SPARE.get();
        Object[] args = lend(spare, 1);
        args[0] = a0;
        return failedWith(policy, failure, start, target, invoker, spare, args);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, two arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1) throws Throwable {
        Object[][] spare = SPARE.get();
        Object[] args = lend(spare, 2);
        args[0] = a0;
        args[1] = a1;
        return failedWith(policy, failure, start, target, invoker, spare, args);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, three arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1, Object a2) throws Throwable {
        Object[][] spare = SPARE.get();
        Object[] args = lend(spare, 3);
        args[0] = a0;
        args[1] = a1;
        args[2] = a2;
        return failedWith(policy, failure, start, target, invoker, spare, args);
    }

    /** As {@link #failedWith(ResilientMethod, Throwable, long, Object, Invoker, Object)}, four arguments. */
    protected static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object a0, Object a1, Object a2, Object a3) throws Throwable {
        Object[][] spare = SPARE.get();
        Object[] args = lend(spare, 4);
        args[0] = a0;
        args[1] = a1;
        args[2] = a2;
        args[3] = a3;
        return failedWith(policy, failure, start, target, invoker, spare, args);
    }

    private static Object[] lend(Object[][] spare, int n) {
        Object[] args = spare[n];
        if (args == null) {
            return new Object[n]; // this thread's is lent to a call still running: this one is nested in it
        }
        spare[n] = null;
        return args;
    }

    private static Object failedWith(ResilientMethod policy, Throwable failure, long start, Object target,
            Invoker invoker, Object[][] spare, Object[] args) throws Throwable {
        try {
            return policy.failed(failure, start, target, args, invoker);
        } finally {
            java.util.Arrays.fill(args, null);
            spare[args.length] = args;
        }
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

    /** The policy of {@code wrapper}'s method at {@code index} in its {@value #METHODS_FIELD}, or null. */
    public static ResilientMethod policyAt(GeneratedWrapper wrapper, int index) {
        return wrapper.policies[index];
    }
}
