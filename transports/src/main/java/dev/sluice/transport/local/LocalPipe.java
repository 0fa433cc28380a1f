package dev.sluice.transport.local;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.LinkClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One direction of an in-process link: a bounded queue between any number of senders and
 * one receiver. Senders are asked for frames only while the queue plus frames already
 * requested stay within the capacity, except that every sender may always have one frame asked
 * for or queued: demand cannot be taken back, so a sender that was given the free places and
 * sends nothing (a keep-alive between its pings) must not stop another. Memory is bounded by the
 * capacity plus one frame per sender, whatever the receiver's pace. State changes under a lock;
 * signals go out from a serialising drain loop.
 */
final class LocalPipe {

    private final int capacity;
    private final int maxFrameLength;
    private final String receiverName;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final List<Sender> senders = new ArrayList<>();
    private final AtomicInteger wip = new AtomicInteger();
    private CoreSubscriber<? super Frame> receiver;
    private long demand;
    private boolean receiverDone;
    private boolean receiverCancelled;
    private CloseReason receiverEnd;
    private CloseReason senderEnd;
    private int nextSender;

    LocalPipe(int capacity, int maxFrameLength, String receiverName) {
        this.capacity = capacity;
        this.maxFrameLength = maxFrameLength;
        this.receiverName = receiverName;
    }

    int maxFrameLength() {
        return maxFrameLength;
    }

    /** Attaches the one receiver; false if there already is one. */
    boolean subscribe(CoreSubscriber<? super Frame> actual) {
        synchronized (this) {
            if (receiver != null) {
                return false;
            }
            receiver = actual;
        }
        actual.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                synchronized (LocalPipe.this) {
                    demand = Operators.addCap(demand, Math.max(n, 0));
                }
                drain();
            }

            @Override
            public void cancel() {
                List<Frame> dropped;
                synchronized (LocalPipe.this) {
                    receiverCancelled = true;
                    receiverDone = true;
                    dropped = takeAll();
                }
                dropped.forEach(Frame::release);
                drain();
            }
        });
        drain();
        return true;
    }

    /** Adds a sender for {@code upstream}'s frames, completing {@code sink} when they are queued. */
    CoreSubscriber<Frame> sender(MonoSink<Void> sink) {
        return new Sender(sink);
    }

    /**
     * Ends this direction: queued frames are delivered (if {@code keepQueued}) or released,
     * then the receiver gets {@code forReceiver}; senders fail with {@code forSenders}.
     */
    void end(CloseReason forReceiver, CloseReason forSenders, boolean keepQueued) {
        List<Frame> dropped = new ArrayList<>();
        List<Sender> failed;
        synchronized (this) {
            if (receiverEnd != null) {
                return;
            }
            receiverEnd = forReceiver;
            senderEnd = forSenders;
            if (!keepQueued) {
                dropped.addAll(takeAll());
            }
            failed = new ArrayList<>(senders);
            senders.clear();
        }
        dropped.forEach(Frame::release);
        for (Sender s : failed) {
            s.fail(new LinkClosedException(forSenders));
        }
        drain();
    }

    /** A queued frame and the sender it came from. */
    private record Queued(Frame frame, Sender from) {
    }

    /** Takes the next queued frame (under the lock). */
    private Frame poll() {
        Queued q = queue.poll();
        q.from.queued--;
        return q.frame;
    }

    /** Empties the queue (under the lock) and returns its frames. */
    private List<Frame> takeAll() {
        List<Frame> all = new ArrayList<>(queue.size());
        while (!queue.isEmpty()) {
            all.add(poll());
        }
        return all;
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (true) {
                Frame f;
                CoreSubscriber<? super Frame> r;
                synchronized (this) {
                    if (receiverCancelled && !queue.isEmpty()) {
                        f = poll();
                        r = null;
                    } else if (receiver == null || receiverDone || demand == 0 || queue.isEmpty()) {
                        break;
                    } else {
                        f = poll();
                        demand--;
                        r = receiver;
                    }
                }
                if (r == null) {
                    f.release();
                } else {
                    r.onNext(f);
                }
            }
            CoreSubscriber<? super Frame> terminate = null;
            CloseReason end;
            List<Subscription> requests = new ArrayList<>();
            synchronized (this) {
                end = receiverEnd;
                if (end != null && queue.isEmpty() && receiver != null && !receiverDone) {
                    receiverDone = true;
                    terminate = receiver;
                }
                if (end == null && !senders.isEmpty()) {
                    int inFlight = queue.size();
                    for (Sender s : senders) {
                        inFlight += s.credit;
                    }
                    int free = capacity - inFlight;
                    // a sender with nothing asked for or queued gets one place even when the others hold them all
                    for (Sender s : senders) {
                        if (s.credit == 0 && s.queued == 0) {
                            s.credit++;
                            requests.add(s.upstream);
                            free--;
                        }
                    }
                    // hand out free places one at a time, round robin, so no sender starves
                    while (free > 0) {
                        Sender s = senders.get(nextSender++ % senders.size());
                        s.credit++;
                        requests.add(s.upstream);
                        free--;
                    }
                }
            }
            if (terminate != null) {
                if (end.isNormal()) {
                    terminate.onComplete();
                } else {
                    terminate.onError(new LinkClosedException(end));
                }
            }
            for (Subscription s : requests) {
                s.request(1);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** One {@code send} call's subscriber. */
    private final class Sender implements CoreSubscriber<Frame> {
        private final MonoSink<Void> sink;
        private Subscription upstream;
        private int credit;
        /** Frames of this sender in the queue. */
        private int queued;
        private boolean finished;

        Sender(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public Context currentContext() {
            return Context.of(sink.contextView());
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            CloseReason end;
            synchronized (LocalPipe.this) {
                end = senderEnd;
                if (end == null) {
                    senders.add(this);
                }
            }
            if (end != null) {
                fail(new LinkClosedException(end));
                return;
            }
            sink.onCancel(() -> {
                synchronized (LocalPipe.this) {
                    senders.remove(this);
                    finished = true;
                }
                upstream.cancel();
                drain();
            });
            drain();
        }

        @Override
        public void onNext(Frame f) {
            String problem = null;
            CloseReason end;
            synchronized (LocalPipe.this) {
                credit--;
                end = senderEnd;
                if (finished || end != null) {
                    problem = "";
                } else if (f.type() == Frame.CONTROL_TYPE) {
                    problem = "frame type 0 is reserved for the transport";
                } else if (f.length() > maxFrameLength) {
                    problem = "frame of " + f.length() + " bytes (type " + f.type() + ") exceeds the maximum of "
                            + maxFrameLength + " bytes that " + receiverName + " accepts";
                } else {
                    queue.add(new Queued(f, this));
                    queued++;
                }
            }
            if (problem != null) {
                f.release();
                if (end != null) {
                    fail(new LinkClosedException(end));
                } else if (!problem.isEmpty()) {
                    fail(new IllegalArgumentException(problem));
                }
                return;
            }
            drain();
        }

        @Override
        public void onError(Throwable t) {
            finish(t);
        }

        @Override
        public void onComplete() {
            finish(null);
        }

        void fail(Throwable t) {
            if (upstream != null) {
                upstream.cancel();
            }
            finish(t);
        }

        private void finish(Throwable error) {
            synchronized (LocalPipe.this) {
                if (finished) {
                    return;
                }
                finished = true;
                senders.remove(this);
            }
            if (error == null) {
                sink.success();
            } else {
                sink.error(error);
            }
            drain();
        }
    }
}
