// The addon glue: the only file that includes napi.h. Arguments are checked here (TypeError for
// a caller's misuse; a malformed Program is not misuse, it comes back as RunResult.error).
// State is per environment (Napi::Addon): the same .node runs in several worker isolates.
#include <napi.h>
#include <signal.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "batch.h"
#include "executor.h"
#include "lane.h"

namespace {

using epl::BatchInput;
using epl::BatchOut;
using epl::Executor;
using epl::FdState;

// Mark the Externals this addon hands out as sessions or lanes, so a stranger object is refused.
constexpr napi_type_tag kSessionTag = {0x6570c2a1e5a5f0b1ULL, 0x7365737369f00d01ULL};
constexpr napi_type_tag kLaneTag = {0x6570c2a1e5a5f0b2ULL, 0x6c616e65f00d0002ULL};

struct Session {
  FdState state;
  bool closed = false;
};

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports) {
    // Node ignores SIGPIPE already; make sure of it, since a write to a broken pipe raises it.
    struct sigaction old;
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
    DefineAddon(exports, {
                             InstanceMethod("runBatch", &Addon::RunBatch),
                             InstanceMethod("isolate", &Addon::Isolate),
                             InstanceMethod("openLane", &Addon::OpenLane),
                             InstanceMethod("laneRun", &Addon::LaneRun),
                             InstanceMethod("closeLane", &Addon::CloseLane),
                             InstanceMethod("info", &Addon::Info),
                             InstanceMethod("openSession", &Addon::OpenSession),
                             InstanceMethod("closeSession", &Addon::CloseSession),
                         });
    (void)env;
  }

 private:
  static Napi::Value TypeError(const Napi::CallbackInfo& info, const char* what) {
    Napi::TypeError::New(info.Env(), what).ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }

  Session* SessionArg(const Napi::Value& v) {
    if (!v.IsExternal()) return nullptr;
    Napi::External<Session> ext = v.As<Napi::External<Session>>();
    if (!ext.CheckTypeTag(&kSessionTag)) return nullptr;
    return ext.Data();
  }

  // Checks code, strings and meta (TypeError for a caller's misuse); fills `in` on success.
  bool BatchArgs(const Napi::CallbackInfo& info, size_t at, BatchInput& in) {
    if (!info[at].IsTypedArray() || info[at].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      TypeError(info, "code must be an Int32Array");
      return false;
    }
    if (!info[at + 1].IsTypedArray() || info[at + 1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      TypeError(info, "strings must be a Uint8Array");
      return false;
    }
    if (!info[at + 2].IsTypedArray() || info[at + 2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      TypeError(info, "meta must be an Int32Array");
      return false;
    }
    Napi::Int32Array code = info[at].As<Napi::Int32Array>();
    Napi::Uint8Array strings = info[at + 1].As<Napi::Uint8Array>();
    Napi::Int32Array meta = info[at + 2].As<Napi::Int32Array>();
    std::string bad = epl::batchMetaError(meta.Data(), meta.ElementLength(), code.ElementLength(), strings.ElementLength());
    if (!bad.empty()) {
      TypeError(info, bad.c_str());
      return false;
    }
    in = BatchInput{code.Data(), strings.Data(), meta.Data(), meta.ElementLength() / epl::kBatchMetaWords};
    return true;
  }

  // runBatch(code: Int32Array, strings: Uint8Array, meta: Int32Array, session: External | null,
  //          out: Uint8Array | null, progress: Int32Array | null): number | Uint8Array
  // Runs every Program of the batch on this thread. Returns the byte count when the results fit
  // in `out`, else a new Uint8Array holding them. `progress` (two cells, in shared memory) lets a
  // watcher on another thread see which Program runs and ask the batch to stop (see batch.h).
  Napi::Value RunBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 6) return TypeError(info, "runBatch(code, strings, meta, session, out, progress)");
    BatchInput in{};
    if (!BatchArgs(info, 0, in)) return env.Undefined();
    Session* session = nullptr;
    if (!info[3].IsNull() && !info[3].IsUndefined()) {
      session = SessionArg(info[3]);
      if (!session) return TypeError(info, "session must be a session handle");
      if (session->closed) {
        Napi::Error::New(env, "the session is closed").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    uint8_t* ext = nullptr;
    size_t extBytes = 0;
    if (!info[4].IsNull() && !info[4].IsUndefined()) {
      if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
        return TypeError(info, "out must be a Uint8Array or null");
      Napi::Uint8Array out = info[4].As<Napi::Uint8Array>();
      ext = out.Data();
      extBytes = out.ElementLength();
    }
    int32_t* progress = nullptr;
    if (!info[5].IsNull() && !info[5].IsUndefined()) {
      if (!info[5].IsTypedArray() || info[5].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
          info[5].As<Napi::Int32Array>().ElementLength() < 2)
        return TypeError(info, "progress must be an Int32Array of two cells or null");
      progress = info[5].As<Napi::Int32Array>().Data();
    }
    BatchOut out(ext, extBytes);
    try {
      epl::runBatch(exec_, in, session ? &session->state : nullptr, out, progress);
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("runBatch: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (out.external()) return Napi::Number::New(env, static_cast<double>(out.size()));
    Napi::Uint8Array copy = Napi::Uint8Array::New(env, out.size());
    if (out.size() > 0) memcpy(copy.Data(), out.own().data(), out.size());
    return copy;
  }

  Napi::Value Isolate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (epl::onMainThread()) {
      Napi::Error::New(env,
                       "isolate() refuses the main thread: it would give the host process's own descriptors a private table; call it at "
                       "the start of a worker thread")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const epl::Isolation& r = exec_.isolate();
    Napi::Object o = Napi::Object::New(env);
    o.Set("files", r.files);
    o.Set("netns", r.netns);
    if (r.reason[0]) o.Set("reason", r.reason);
    return o;
  }

  // ---- lanes (lane.h) --------------------------------------------------------------------------

  struct LaneState;
  struct LaneJob {
    LaneJob(Napi::Env env, std::shared_ptr<LaneState> s) : deferred(Napi::Promise::Deferred::New(env)), state(std::move(s)) {}
    epl::LaneBatch batch;
    Napi::Promise::Deferred deferred;
    std::shared_ptr<LaneState> state;
  };

  // What a lane handle holds. Touched on the JavaScript thread only; the lane's thread sees the
  // thread-safe function alone.
  struct LaneState {
    napi_env env = nullptr;
    Napi::ThreadSafeFunction tsfn;
    std::unique_ptr<epl::Lane> lane;
    int pending = 0;
    bool closed = false;
    bool hooked = false;

    // Stops the lane's thread (the running batch finishes: its sleeps and waits are bounded),
    // refuses queued batches, and lets the thread-safe function go once it has delivered them.
    void close(bool fromHook) {
      if (closed) return;
      closed = true;
      if (lane) {
        lane->stop();
        lane.reset();
      }
      if (hooked && !fromHook) napi_remove_env_cleanup_hook(env, &LaneState::Hook, this);
      hooked = false;
      tsfn.Release();
    }
    // The environment is going away (a worker ends, or the process): no lane thread may outlive it.
    static void Hook(void* arg) { static_cast<LaneState*>(arg)->close(true); }
  };

  // The lane behind a handle, or null for anything that is not one.
  std::shared_ptr<LaneState>* LaneArg(const Napi::Value& v) {
    if (!v.IsExternal()) return nullptr;
    auto ext = v.As<Napi::External<std::shared_ptr<LaneState>>>();
    if (!ext.CheckTypeTag(&kLaneTag)) return nullptr;
    return ext.Data();
  }

  // openLane(): External. Starts a lane's thread, which isolates itself at once. An idle lane
  // does not keep the process alive; closeLane (or the garbage collector) stops it.
  Napi::Value OpenLane(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto state = std::make_shared<LaneState>();
    state->env = env;
    state->tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "epl-lane", 0, 1);
    state->tsfn.Unref(env);
    Napi::ThreadSafeFunction tsfn = state->tsfn;
    try {
      state->lane = std::make_unique<epl::Lane>([tsfn](epl::LaneBatch* b) mutable {
        auto* job = static_cast<LaneJob*>(b->owner);
        // Not delivered (the environment is going away): nobody waits for the promise.
        if (tsfn.BlockingCall(job, &Addon::DeliverLane) != napi_ok) delete job;
      });
    } catch (const std::exception& e) {
      state->tsfn.Release();
      Napi::Error::New(env, std::string("openLane: no thread could be started: ") + e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // Registered after the thread-safe function, so it runs before that one's own cleanup.
    if (napi_add_env_cleanup_hook(env, &LaneState::Hook, state.get()) == napi_ok) state->hooked = true;
    auto* holder = new std::shared_ptr<LaneState>(state);
    auto ext = Napi::External<std::shared_ptr<LaneState>>::New(env, holder, [](Napi::Env, std::shared_ptr<LaneState>* h) {
      (*h)->close(false);
      delete h;
    });
    ext.TypeTag(&kLaneTag);
    return ext;
  }

  // laneRun(lane, code: Int32Array, strings: Uint8Array, meta: Int32Array):
  //   Promise<{ raw: Uint8Array, files, netns, reason?, error? }>
  Napi::Value LaneRun(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4) return TypeError(info, "laneRun(lane, code, strings, meta)");
    std::shared_ptr<LaneState>* handle = LaneArg(info[0]);
    if (!handle) return TypeError(info, "lane must be a lane handle");
    LaneState* s = handle->get();
    BatchInput in{};
    if (!BatchArgs(info, 1, in)) return env.Undefined();
    if (s->closed) {
      Napi::Error::New(env, "the lane is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Int32Array code = info[1].As<Napi::Int32Array>();
    Napi::Uint8Array strings = info[2].As<Napi::Uint8Array>();
    Napi::Int32Array meta = info[3].As<Napi::Int32Array>();
    // The thread works on copies: the caller's arrays may be reused or collected meanwhile.
    auto* job = new LaneJob(env, *handle);
    job->batch.code.assign(code.Data(), code.Data() + code.ElementLength());
    job->batch.strings.assign(strings.Data(), strings.Data() + strings.ElementLength());
    job->batch.meta.assign(meta.Data(), meta.Data() + meta.ElementLength());
    job->batch.owner = job;
    Napi::Promise promise = job->deferred.Promise();
    // A lane with work keeps the event loop alive until the work is delivered.
    if (s->pending++ == 0) s->tsfn.Ref(env);
    s->lane->submit(&job->batch);
    return promise;
  }

  // closeLane(lane): stops the lane's thread; further runs throw.
  Napi::Value CloseLane(const Napi::CallbackInfo& info) {
    std::shared_ptr<LaneState>* handle = info.Length() > 0 ? LaneArg(info[0]) : nullptr;
    if (!handle) return TypeError(info, "closeLane(lane): not a lane handle");
    (*handle)->close(false);
    return info.Env().Undefined();
  }

  // On the JavaScript thread: hands a finished batch to its promise.
  static void DeliverLane(Napi::Env env, Napi::Function, LaneJob* job) {
    std::unique_ptr<LaneJob> owned(job);
    if (env == nullptr) return;
    LaneState* s = job->state.get();
    if (--s->pending == 0 && !s->closed) s->tsfn.Unref(env);
    const epl::LaneBatch& b = job->batch;
    Napi::Object o = Napi::Object::New(env);
    Napi::Uint8Array raw = Napi::Uint8Array::New(env, b.raw.size());
    if (!b.raw.empty()) memcpy(raw.Data(), b.raw.data(), b.raw.size());
    o.Set("raw", raw);
    o.Set("files", b.isolation.files);
    o.Set("netns", b.isolation.netns);
    if (b.isolation.reason[0]) o.Set("reason", b.isolation.reason);
    if (!b.error.empty()) o.Set("error", b.error);
    job->deferred.Resolve(o);
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    Napi::Array ops = Napi::Array::New(env);
    uint32_t n = 0;
    for (const epl::OpInfo& op : epl::kOpTable) {
      if (op.code == 0) continue;
      Napi::Object e = Napi::Object::New(env);
      e.Set("code", op.code);
      e.Set("name", op.name);
      Napi::Array kinds = Napi::Array::New(env);
      uint32_t k = 0;
      for (epl::Kind kind : op.kinds)
        if (kind != epl::Kind::NONE) kinds.Set(k++, epl::kindName(kind));
      e.Set("operands", kinds);
      ops.Set(n++, e);
    }
    o.Set("ops", ops);
    o.Set("opWords", epl::kOpWords);
    Napi::Object limits = Napi::Object::New(env);
#define EPL_LIMIT_SET(name, value) limits.Set(#name, static_cast<double>(epl::limits::name));
    EPL_LIMITS(EPL_LIMIT_SET)
#undef EPL_LIMIT_SET
    o.Set("limits", limits);
    Napi::Object layout = Napi::Object::New(env);
#define EPL_LAYOUT_SET(name, value) layout.Set(#name, epl::layout::name);
    EPL_LAYOUT(EPL_LAYOUT_SET)
#undef EPL_LAYOUT_SET
    o.Set("layout", layout);
    o.Set("captureFrames", epl::Capture::kFrameCount);
    o.Set("batchMetaWords", epl::kBatchMetaWords);
    return o;
  }

  // openSession(): External. The state is torn down by closeSession, or by the garbage collector
  // if the caller forgets.
  Napi::Value OpenSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto* s = new (std::nothrow) Session();
    if (!s) {
      Napi::Error::New(env, "out of memory").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::External<Session> ext = Napi::External<Session>::New(env, s, [](Napi::Env, Session* p) { delete p; });
    ext.TypeTag(&kSessionTag);
    return ext;
  }

  Napi::Value CloseSession(const Napi::CallbackInfo& info) {
    Session* s = info.Length() > 0 ? SessionArg(info[0]) : nullptr;
    if (!s) return TypeError(info, "closeSession(session): not a session handle");
    if (!s->closed) {
      s->state.teardown();
      s->closed = true;
    }
    return info.Env().Undefined();
  }

  Executor exec_;
};

}  // namespace

NODE_API_ADDON(Addon)
