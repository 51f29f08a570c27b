package dev.rebound.runtime.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What {@code Parallel} and {@code Batch} share: the default threads, a run's branches, and cancelling. */
public final class Branches {

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How often a wait checks whether the executor died under it. */
    private static final long POLL_MILLIS = 10;

    /**
     * Daemon threads made on demand and kept 60 s once idle: branches block on I/O, so not the common
     * pool. Rebound's own ({@link OwnThreads}): none keeps the class loader of the caller that started it.
     */
    private static final ExecutorService DEFAULT = Executors.newCachedThreadPool(
            r -> OwnThreads.daemon(r, "rebound-branch-" + THREADS.incrementAndGet()));

    private Branches() {
    }

    public static ExecutorService defaultExecutor() {
        return DEFAULT;
    }

    /**
     * One run of branches ({@code Parallel.invokeAll}, {@code Batch.map}), made on the submitting thread
     * before its branches are submitted, for {@link Run#enter} and {@link Run#leave} around each branch on
     * the thread that runs it, and {@link Run#end} on the submitting thread once it stops waiting.
     */
    public static Run run(Executor executor) {
        Branch in = Run.CURRENT.get();
        return new Run(executor == DEFAULT ? Thread.currentThread().getContextClassLoader() : KEEP, in,
                BranchContext.capture(), executor);
    }

    /**
     * Whether someone has sent this thread's branch a stop by interrupt: its run's {@link Run#cancel}
     * (which interrupts the branches running; a run only {@linkplain Run#stop stopped} sent nothing), or,
     * when {@code countShutdown}, {@code shutdownNow()} of the ExecutorService running it ({@link #stoppableBy};
     * a plain {@code shutdown()}, which interrupts no running thread, cannot be told from it: it counts too,
     * so the caller counts a shutdown only where one could have sent the interrupt in question). A branch
     * run in place, on the thread that submitted it, is reached by neither: its run's {@link Run#stop}
     * interrupts it when another branch fails for good (it counts then), and else the branch that thread
     * runs, if any, is asked (a nested run's). False when this thread runs no branch. Read from the run's
     * state, never from the flag, where a timed-out attempt's timer takes its interrupt back
     * ({@link AttemptTimer}): such a stop that came as one flag with the timer's, or was consumed with it,
     * is set again, so the branch's retry stops.
     */
    public static boolean interruptedToStop(boolean countShutdown) {
        return stopSent(Run.CURRENT.get(), Thread.currentThread(), countShutdown);
    }

    /** {@link #interruptedToStop} for {@code self} in branch {@code in}. */
    private static boolean stopSent(Branch in, Thread self, boolean countShutdown) {
        for (Run r = in == null ? null : in.run; r != null; r = r.parent) {
            if (self != r.submitter) { // a thread of r's executor: r's cancel and its shutdownNow() reach it
                return r.interrupting || countShutdown && r.executor != null && r.executor.isShutdown();
            }
            if (r.stoppedInPlace) { // r's branch this thread runs in place: r's stop interrupted it
                return true;
            }
        }
        return false;
    }

    /** The branch this thread runs (its innermost), for {@link #stoppableBy} and {@link #sendingInterrupt}; or null. */
    static Branch current() {
        return Run.CURRENT.get();
    }

    /**
     * The ExecutorService whose {@code shutdownNow()} interrupts this thread's branch {@code in} (the executor
     * of the innermost run it runs a branch of on a thread of that run's executor: see
     * {@link #interruptedToStop}); null when this thread runs no branch, or that executor is no ExecutorService.
     */
    static ExecutorService stoppableBy(Branch in) {
        Run r = stoppingRun(in, Thread.currentThread());
        return r == null ? null : r.executor;
    }

    /**
     * Rebound is about to interrupt the thread that runs {@code from} ({@link AttemptTimer}'s time came, or
     * a run stops the branch that thread runs in place, {@code from} being the branch it runs inside): each
     * branch run in place under it counts the interrupt as Rebound's, until {@link #tookBackInterrupt}, so
     * that its own run's {@link Run#stop}, finding the flag set meanwhile, does not take it for someone
     * else's. Nothing when {@code from} is null.
     */
    static void sendingInterrupt(Branch from) {
        count(from, Branch.SENT);
    }

    /** The interrupt {@link #sendingInterrupt} counted was taken back (cleared) on the thread of {@code from}. */
    static void tookBackInterrupt(Branch from) {
        count(from, Branch.TAKEN);
    }

    private static void count(Branch from, VarHandle counter) {
        for (Branch b = from; b != null; b = b.before) { // every branch of the chain runs on the same thread
            if (b.inPlace) {
                counter.getAndAdd(b, 1);
            }
        }
    }

    /** The innermost run whose cancel and executor reach {@code self} in branch {@code in}; or null. */
    private static Run stoppingRun(Branch in, Thread self) {
        if (in == null) {
            return null;
        }
        for (Run r = in.run; r != null; r = r.parent) {
            if (self != r.submitter) { // a thread of r's executor: r's cancel and its shutdownNow() reach it
                return r;
            }
        }
        return null;
    }

    /**
     * Whether this thread's interrupt is taken to come from {@code executor}'s {@code shutdownNow()}: it is
     * interrupted (or {@code failure} is the InterruptedException that consumed the flag) while
     * {@code executor} is an ExecutorService shut down ({@code shutdownNow()} marks the pool stopped
     * before it interrupts its threads).
     */
    public static boolean stoppedByShutdown(Executor executor, Throwable failure) {
        return (failure instanceof InterruptedException || Thread.currentThread().isInterrupted())
                && executor instanceof ExecutorService && ((ExecutorService) executor).isShutdown();
    }

    /** What a run reports when its executor was shut down before every branch ran. */
    public static CancellationException shutDown(Throwable branchFailure) {
        CancellationException c = new CancellationException("the executor was shut down before every branch ran");
        if (branchFailure != null) {
            c.initCause(branchFailure);
        }
        return c;
    }

    /**
     * Asks the thread that submitted the branch this thread is running to run {@code task} when it
     * stops waiting for the run's branches ({@link Run#end}), on its own stack, where the code that made
     * the run shows (a branch's stack ends at its pool thread's loop). The task runs only on that thread,
     * and never after the run's end: a branch still running then (cancelled) has its task dropped.
     *
     * @return whether the task will run: false when this thread runs no branch, or the run has ended
     */
    public static boolean atSubmitter(Runnable task) {
        Branch in = Run.CURRENT.get();
        return in != null && in.run.defer(task);
    }

    /**
     * A streamed call (one reporting to a handler, {@code call} its future, which nobody else holds)
     * started on this thread: when the thread runs a branch, the branch's run cancels it if it cancels
     * that branch ({@link Run#cancel}), as it interrupts the branch's thread, and at once when the run is
     * cancelled already. Such a call has no thread of its own to interrupt, and the branch that waits on
     * its handler cannot cancel it. Once the branch has returned or failed on its own
     * ({@link Branch#handOver}) the call is its caller's, as any future the branch returned: the run
     * leaves it to run, and when the run was made inside another run's branch (a nested
     * {@code Parallel}, a {@code Batch} in a branch), that caller is the enclosing branch, which cancels
     * it if it is cancelled itself. Read only where a stream starts; nothing when this thread runs no branch.
     */
    public static void cancelledWithBranch(Future<?> call) {
        Branch in = Run.CURRENT.get();
        if (in != null) {
            in.run.adopt(in, call);
        }
    }

    /**
     * One branch of a run as the thread that runs it sees it ({@link Run#enter} to {@link Run#leave}; a
     * {@code Batch} worker's branch is handed over after each input): its run, and the streamed calls it
     * started that are still the run's to cancel.
     */
    public static final class Branch {
        private static final VarHandle SENT;
        private static final VarHandle TAKEN;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                SENT = lookup.findVarHandle(Branch.class, "interruptsSent", int.class);
                TAKEN = lookup.findVarHandle(Branch.class, "interruptsTaken", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Run run;
        /** The branch this thread was in before, put back by {@link Run#leave}. */
        private final Branch before;
        /** What the run's trace context made current on this thread ({@link BranchContext#enter}); or null. */
        private Object[] traced;
        /** Its streamed calls not ended and not handed over; null while there are none. Written under {@code run}. */
        private volatile Set<Future<?>> streams;
        /** Whether it runs in place, on the thread that submitted it. */
        private boolean inPlace;
        /** Run in place: whether its thread's interrupt flag was set when it started, put back when it ends. */
        private boolean interruptedAtStart;
        /** Run in place: whether its run's {@link Run#stop} interrupted it. Written under {@code run}. */
        private volatile boolean stopped;
        /**
         * Run in place and stopped: whether its thread was interrupted by someone else when the stop came
         * (the flag set, and no interrupt Rebound sent from inside it out): kept when it ends. Written under
         * {@code run} before {@link #stopped}.
         */
        private boolean interruptedAtStop;
        /**
         * Run in place: the interrupts Rebound sent its thread from inside it ({@link #sendingInterrupt}: an
         * attempt's timer, a nested run's stop of a branch run in place there) and those of them taken back
         * ({@link #tookBackInterrupt}); while more were sent than taken back, a flag set may be theirs.
         */
        @SuppressWarnings("unused") // through SENT
        private volatile int interruptsSent;
        @SuppressWarnings("unused") // through TAKEN
        private volatile int interruptsTaken;
        /**
         * Run in place and stopped: whether the executor whose {@code shutdownNow()} reaches its thread (an
         * enclosing run's) was shut down by then. Written under {@code run} before {@link #stopped}.
         */
        private boolean shutDownAtStop;

        private Branch(Run run, Branch before) {
            this.run = run;
            this.before = before;
        }

        /**
         * Whether the run stopped this branch while it ran in place, on the thread that submitted it, as it
         * cancels a branch running on the pool: another branch had failed for good. What it then throws is
         * what the stop caused, no failure of its own, as what a cancelled branch throws. On its thread.
         */
        public boolean stoppedInPlace() {
            return stopped;
        }

        /**
         * The branch has returned (or failed on its own): the streamed calls it started are its caller's
         * now, as its value is, and the run no longer cancels them. When the run was made inside another
         * run's branch, that branch is the caller: the calls not ended yet are its own from now on,
         * cancelled with it (at once if its run is cancelled already), so that none outlives the outer
         * run's caller. On the branch's thread.
         */
        public void handOver() {
            if (streams == null) { // set on this thread, or by a nested run before it returned here: no lock
                return;
            }
            Set<Future<?>> handed;
            synchronized (run) {
                handed = streams;
                if (handed == null) {
                    return;
                }
                streams = null;
                run.streaming.remove(this);
            }
            Branch caller = run.enclosing;
            if (caller != null) { // outside this run's lock: the enclosing run's is taken
                for (Future<?> call : handed) {
                    if (!call.isDone()) {
                        caller.run.adopt(caller, call);
                    }
                }
            }
        }
    }

    /** What {@link #run} keeps for an executor of the caller's: its threads' loaders are left alone. */
    private static final ClassLoader KEEP = new ClassLoader(null) {
    };

    /**
     * One run of branches, as each branch's thread sees it while it runs one of them (a thread-local
     * set by {@link #enter}, put back by {@link #leave}: a pool thread's next task finds what it found
     * before), the tasks its branches left for the submitting thread ({@link #atSubmitter}), whether the
     * run is over for its branches ({@link #isCancelled}), and how many of them are running, so that the
     * submitting thread that cancels them returns only once they have ended ({@link #cancel}).
     */
    public static final class Run {
        private static final ThreadLocal<Branch> CURRENT = new ThreadLocal<>();
        /** The top of {@link #deferred} once the run has ended: nothing more is taken. */
        private static final Deferred ENDED = new Deferred(null, null);
        private static final VarHandle DEFERRED;

        static {
            try {
                DEFERRED = MethodHandles.lookup().findVarHandle(Run.class, "deferred", Deferred.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /**
         * The context class loader the branches run with: on the default threads, the submitting
         * thread's (code that looks services up through it, as {@code ServiceLoader.load} does, finds the
         * application's), taken back when the branch ends, before its caller hears of it; an executor of
         * the caller's keeps its threads' own ({@link #KEEP}).
         */
        private final ClassLoader loader;
        /**
         * The submitting thread's trace context (its current observation, its OpenTelemetry context),
         * current on each branch's thread while the branch runs, whatever the executor; null when nothing
         * was current there, or no tracing library is present.
         */
        private final BranchContext trace;
        /** The tasks left for the submitting thread, last first; null while there are none (a run that never fails). */
        @SuppressWarnings("unused") // through DEFERRED
        private volatile Deferred deferred;
        /** The run whose branch made this one ({@link Branches#interruptedToStop}), or null. */
        private final Run parent;
        /** The thread that made the run and submits its branches: one it runs in place is not interrupted by it. */
        private final Thread submitter;
        /** The executor, when an ExecutorService ({@link Branches#interruptedToStop}); or null. */
        private final ExecutorService executor;
        /** The branch that made this run, given its branches' streams ({@link Branch#handOver}), or null. */
        private final Branch enclosing;
        /** Set by {@link #stop}: branches not started yet do not start, and Batch's take no more input. */
        private volatile boolean cancelled;
        /** Set by {@link #cancel} before it interrupts the branches running: read by {@link Branches#interruptedToStop}. */
        private volatile boolean interrupting;
        /**
         * The branch the submitting thread runs in place (an executor that runs a task on the thread that
         * hands it over: {@code Runnable::run}, a saturated pool's {@code CallerRunsPolicy}), between
         * {@link #enter} and {@link #leave}; or null. No Future of the caller's reaches it: {@link #stop}
         * interrupts it itself. Guarded by this.
         */
        private Branch inPlace;
        /** Set by {@link #stop} under this before it interrupts the branch run in place: read by {@link Branches#interruptedToStop}. */
        private volatile boolean stoppedInPlace;
        /** The branches between {@link #enter} and {@link #leave}; guarded by this for the wait in {@link #cancel}. */
        private final AtomicInteger running = new AtomicInteger();
        /**
         * Its branches that started streamed calls still the run's to cancel ({@link #adopt}, until
         * each call ends or its branch hands it over); null until one does. Guarded by this.
         */
        private Set<Branch> streaming;

        private Run(ClassLoader loader, Branch enclosing, BranchContext trace, Executor executor) {
            this.loader = loader;
            this.trace = trace;
            this.enclosing = enclosing;
            this.parent = enclosing == null ? null : enclosing.run;
            this.submitter = Thread.currentThread();
            this.executor = executor instanceof ExecutorService service ? service : null;
        }

        private record Deferred(Runnable task, Deferred next) {
        }

        /**
         * A branch of this run starts, on its thread, with the submitting thread's trace context current
         * ({@link BranchContext}) until {@link #leave}.
         *
         * @return the branch, for {@link #leave}, which puts back the branch this thread was in before (a
         *     branch run on the submitting thread by an executor that runs tasks in place may be inside
         *     another run's branch)
         */
        public Branch enter() {
            running.incrementAndGet(); // before the branch reads isCancelled: cancel() waits for it or it does not start
            Branch before = CURRENT.get();
            try {
                if (loader != KEEP) {
                    Thread.currentThread().setContextClassLoader(loader);
                }
                Branch branch = new Branch(this, before);
                CURRENT.set(branch);
                if (trace != null) {
                    branch.traced = trace.enter();
                }
                Thread self = Thread.currentThread();
                if (self == submitter) { // last: nothing after it throws, and before the branch reads isCancelled
                    branch.inPlace = true;
                    branch.interruptedAtStart = self.isInterrupted();
                    synchronized (this) {
                        inPlace = branch;
                    }
                }
                return branch;
            } catch (Throwable t) { // e.g. a tracing handler's Error: the branch fails with it, nothing left behind
                CURRENT.set(before);
                if (loader != KEEP) {
                    Thread.currentThread().setContextClassLoader(null);
                }
                left(); // else cancel() would wait for it for ever
                throw t;
            }
        }

        /**
         * The branch ends: the thread goes back to the branch it was in before, and a default thread to
         * no context class loader. Streamed calls it did not {@linkplain Branch#handOver hand over} stay
         * the run's to cancel until they end.
         */
        public void leave(Branch branch) {
            BranchContext.leave(branch.traced); // the caller's trace context taken back, on every ending
            CURRENT.set(branch.before);
            if (loader != KEEP) {
                Thread.currentThread().setContextClassLoader(null);
            }
            if (branch.inPlace) {
                leftInPlace(branch);
            }
            left();
        }

        /**
         * A branch run in place ends: when {@link #stop} interrupted it, the run's interrupt is taken back,
         * and the submitting thread's flag set again when it was not the run's alone: the caller was
         * interrupted when the branch started (its own interrupt kept), or by someone else when the stop came
         * (the stop found the flag set: see {@link #stop}), or a stop of an enclosing run reached this
         * thread meanwhile (its cancel, the {@code shutdownNow()} of the executor this thread belongs to, not
         * shut down yet at the stop): one flag with the run's, it is no more the run's to take back.
         */
        private void leftInPlace(Branch branch) {
            synchronized (this) {
                inPlace = null;
                if (!branch.stopped) {
                    return;
                }
            }
            Thread.interrupted();
            tookBackInterrupt(branch.before);
            if (branch.interruptedAtStart || branch.interruptedAtStop
                    || stopSent(branch.before, Thread.currentThread(), !branch.shutDownAtStop)) {
                Thread.currentThread().interrupt();
            }
        }

        private void left() {
            if (running.decrementAndGet() == 0 && cancelled) {
                synchronized (this) {
                    notifyAll(); // the submitting thread waits in cancel()
                }
            }
        }

        /**
         * Whether the run is over for its branches ({@link #stop}, {@link #cancel}): a branch that enters
         * now does not start its call, and a running one that reads it stops as if interrupted.
         */
        public boolean isCancelled() {
            return cancelled;
        }

        /**
         * The run is over for its branches: one failed for good, or the submitter gave up on them. Called
         * on another thread than the submitting one (a branch on the pool that failed for good, a thread of
         * the pool that found it stopped), it also interrupts the branch the submitting thread runs in place,
         * if any, as {@link #cancel} interrupts those on the pool: no Future reaches it (its {@code submit}
         * has not returned), and its retry stops waiting and tries nothing more. {@link #leave} takes that
         * interrupt back. A flag it finds set is someone else's (the caller interrupted during the branch,
         * the interrupt not heard yet, or heard and set again), unless an interrupt Rebound sent from
         * inside the branch is out then (an attempt's timer, a nested run's stop: one flag with theirs, it
         * goes with theirs): {@link #leave} keeps it.
         */
        public void stop() {
            cancelled = true;
            stopBranchInPlace();
        }

        /**
         * {@link #stop}, only if the submitting thread runs a branch of this run in place now, not stopped
         * yet, and this is another thread: a branch on the pool that returned once {@code shutdownNow()}
         * interrupted it (its thread found the pool stopped) has the run stop the branch that
         * {@code shutdownNow()} does not reach, as a branch that failed on the interrupt has; with none to
         * stop, nothing changes and the run goes on.
         *
         * @return whether it stopped a branch run in place
         */
        public boolean stopBranchInPlace() {
            if (Thread.currentThread() == submitter) {
                return false; // the branch run in place is this one, or none runs
            }
            synchronized (this) {
                Branch b = inPlace;
                if (b == null || b.stopped) {
                    return false;
                }
                cancelled = true; // before the interrupt: branches not started yet never start
                ExecutorService outer = stoppableByIn(b);
                b.shutDownAtStop = outer != null && outer.isShutdown();
                b.interruptedAtStop = interruptedBySomeoneElse(b);
                b.stopped = true;
                stoppedInPlace = true; // before the interrupt: a branch that hears it finds it set
                sendingInterrupt(b.before);
                submitter.interrupt();
                return true;
            }
        }

        /**
         * Whether the submitting thread, running {@code b} in place, is interrupted, and no interrupt Rebound
         * sent from inside {@code b} was out as its flag was read: those taken back are read before those
         * sent (taken never exceeds sent), and those sent again after the flag, so that one sent and taken
         * back between the reads is seen.
         */
        private boolean interruptedBySomeoneElse(Branch b) {
            int taken = (int) Branch.TAKEN.getVolatile(b);
            int sent = (int) Branch.SENT.getVolatile(b);
            return submitter.isInterrupted() && sent == taken && (int) Branch.SENT.getVolatile(b) == sent;
        }

        /** The executor whose {@code shutdownNow()} reaches the submitting thread while it runs {@code b}. */
        private ExecutorService stoppableByIn(Branch b) {
            Run r = stoppingRun(b.before, submitter);
            return r == null ? null : r.executor;
        }

        /**
         * The submitting thread gives up on the branches: {@link #stop}, cancels the streamed calls of the
         * branches it cancels (not those a branch handed over), interrupts the branches still running
         * ({@code Future.cancel(true)}; those not started never will), and waits until every branch that
         * started has ended, as a structured scope does: nothing of the run goes on after its caller
         * returns, and a branch that ignores its interrupt holds the caller until it ends. The wait is not
         * interruptible; an interrupt during it is kept.
         */
        public void cancel(List<? extends Future<?>> futures) {
            cancelled = true;
            interrupting = true; // before the interrupts: a branch that hears one finds it set
            List<Future<?>> adopted = new ArrayList<>();
            synchronized (this) { // before the interrupts: a branch that then returns hands over nothing left
                if (streaming != null) {
                    for (Branch b : streaming) {
                        adopted.addAll(b.streams);
                    }
                }
            }
            for (Future<?> c : adopted) {
                c.cancel(true); // a stream's pending wait and its attempt before the first token: ended now
            }
            for (Future<?> f : futures) {
                f.cancel(true);
            }
            if (running.get() == 0) {
                return;
            }
            boolean interrupted = false;
            synchronized (this) {
                while (running.get() > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * {@code call}, a streamed call {@code branch} started on its thread, is cancelled with the branch:
         * kept until it ends (it is done at once once cancelled) or the branch hands it over, cancelled
         * now if the run is cancelled already.
         */
        private void adopt(Branch branch, Future<?> call) {
            synchronized (this) {
                if (branch.streams == null) {
                    branch.streams = Collections.newSetFromMap(new IdentityHashMap<>());
                    if (streaming == null) {
                        streaming = Collections.newSetFromMap(new IdentityHashMap<>());
                    }
                    streaming.add(branch);
                }
                branch.streams.add(call);
            }
            if (call instanceof CompletionStage<?> stage) {
                stage.whenComplete((v, t) -> ended(branch, call));
            }
            if (cancelled) { // read after the add: cancel() sees the call, or the call sees the cancel
                call.cancel(true);
            }
        }

        /** {@code call} of {@code branch} ended: nothing of it is kept. */
        private synchronized void ended(Branch branch, Future<?> call) {
            Set<Future<?>> streams = branch.streams;
            if (streams != null && streams.remove(call) && streams.isEmpty()) {
                branch.streams = null;
                streaming.remove(branch);
            }
        }

        private boolean defer(Runnable task) {
            Deferred top;
            do {
                top = (Deferred) DEFERRED.getVolatile(this);
                if (top == ENDED) {
                    return false;
                }
            } while (!DEFERRED.compareAndSet(this, top, new Deferred(task, top)));
            return true;
        }

        /**
         * The submitting thread stops waiting for the branches (all ended, or it gave up on them): runs
         * the tasks they left, in the order they were left; a branch still running leaves nothing more.
         */
        public void end() {
            Deferred left = (Deferred) DEFERRED.getAndSet(this, ENDED);
            if (left == null || left == ENDED) {
                return; // the branches left nothing (none failed), or the run had ended
            }
            ArrayDeque<Runnable> inOrder = new ArrayDeque<>();
            for (Deferred d = left; d != null; d = d.next()) {
                inOrder.push(d.task());
            }
            inOrder.forEach(Runnable::run);
        }
    }

    /**
     * Waits until {@code done} reaches zero, or until {@code executor} (when it is an
     * ExecutorService) has terminated: then a task it had queued and not started will never run
     * ({@code shutdownNow()} drops its queue) and waiting longer would hang.
     *
     * @return whether {@code done} reached zero
     */
    public static boolean await(CountDownLatch done, Executor executor) throws InterruptedException {
        if (!(executor instanceof ExecutorService)) {
            done.await();
            return true;
        }
        ExecutorService service = (ExecutorService) executor;
        while (!done.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (service.isTerminated()) {
                return done.getCount() == 0;
            }
        }
        return true;
    }

    /**
     * The next completed branch, as {@link CompletionService#take()}, except that when
     * {@code executor} has terminated with branches still pending (dropped by {@code shutdownNow()},
     * they will never run) it throws instead of waiting for ever.
     *
     * @throws CancellationException if the executor terminated before every branch ran
     */
    public static <T> Future<T> take(CompletionService<T> done, Executor executor) throws InterruptedException {
        if (!(executor instanceof ExecutorService)) {
            return done.take();
        }
        while (true) {
            Future<T> next = done.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (next != null) {
                return next;
            }
            if (((ExecutorService) executor).isTerminated()) {
                next = done.poll();
                if (next != null) {
                    return next;
                }
                throw shutDown(null);
            }
        }
    }

    /** The caller was interrupted while waiting: keep the flag, report it as the call's failure. */
    public static CompletionException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CompletionException("interrupted while waiting for the branches", e);
    }

    /**
     * The failure itself: the cause of the {@link ExecutionException} or {@link CompletionException} a
     * future's {@code get()} or {@code join()} wraps it in (a branch or an input that waits on a Rebound
     * asynchronous call throws the call's failure so wrapped), however deep. Only the JDK's own two classes,
     * exactly, and only while they carry nothing of their own: a subclass is the user's failure (a
     * {@code JobFailedException extends ExecutionException}), and a wrapper with suppressed failures is a
     * history (the {@code CompletionException} a nested {@code Parallel} threw with its other branches'
     * failures), both kept. {@code t} when it is neither, or its cause is none or cannot be read
     * ({@link Classifier#causeOf}).
     */
    public static Throwable failure(Throwable t) {
        for (int depth = 0; depth <= Classifier.MAX_CAUSE_DEPTH && plainWrapper(t); depth++) {
            Throwable cause = Classifier.causeOf(t);
            if (cause == null || cause == t) {
                break;
            }
            t = cause;
        }
        return t;
    }

    private static boolean plainWrapper(Throwable t) {
        Class<?> c = t.getClass();
        return (c == CompletionException.class || c == ExecutionException.class) && t.getSuppressed().length == 0;
    }

    /**
     * Rethrows an unchecked failure as it is; wraps a checked one in a CompletionException whose message
     * names its class only (the JDK's one-argument constructor would copy the failure's message, which
     * may carry a prompt or a key, into an exception Rebound throws). {@code t} and {@code others} (the
     * failures of the other branches that had failed too) are first taken out of the ExecutionException or
     * CompletionException a future wrapped them in ({@link #failure}); {@code others} are added to what is
     * thrown as suppressed, each instance once, never {@code t} itself.
     */
    public static RuntimeException rethrow(Throwable branchFailure, List<Throwable> others) {
        Throwable t = failure(branchFailure);
        Throwable thrown = t instanceof RuntimeException || t instanceof Error ? t
                : new CompletionException("a branch failed with " + t.getClass().getName(), t);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(thrown);
        seen.add(t);
        for (Throwable other : others) {
            Throwable o = failure(other);
            if (seen.add(o)) {
                thrown.addSuppressed(o);
            }
        }
        if (thrown instanceof Error) {
            throw (Error) thrown;
        }
        throw (RuntimeException) thrown;
    }
}
