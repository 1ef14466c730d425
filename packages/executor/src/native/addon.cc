// The addon glue: the only file that includes napi.h. Arguments are checked here (TypeError for
// a caller's misuse; a malformed Program is not misuse, it comes back as RunResult.error).
// State is per environment (Napi::Addon): the same .node runs in several worker isolates.
#include <napi.h>
#include <signal.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "executor.h"
#include "lane.h"

namespace {

using epl::Executor;
using epl::FdState;

// Mark the Externals this addon hands out as sessions or lanes, so a stranger object is refused.
constexpr napi_type_tag kSessionTag = {0x6570c2a1e5a5f0b1ULL, 0x7365737369f00d01ULL};
constexpr napi_type_tag kLaneTag = {0x6570c2a1e5a5f0b2ULL, 0x6c616e65f00d0002ULL};

struct Session {
  FdState state;
  int32_t family = 0;
  bool closed = false;
};

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports) {
    // Node ignores SIGPIPE already; make sure of it, since a write to a broken pipe raises it.
    struct sigaction old;
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
    DefineAddon(exports, {
                             InstanceMethod("run", &Addon::Run),
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

  // run(code: Int32Array, strings: Uint8Array, slotCount: number, family: number,
  //     session: External | null, scratch?: Uint8Array): Uint8Array | number
  // Returns a new Uint8Array with the results, or the byte count when they fit in scratch.
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5) return TypeError(info, "run(code, strings, slotCount, family, session[, scratch])");
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      return TypeError(info, "code must be an Int32Array");
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      return TypeError(info, "strings must be a Uint8Array");
    if (!info[2].IsNumber()) return TypeError(info, "slotCount must be a number");
    if (!info[3].IsNumber()) return TypeError(info, "family must be a number");
    Session* session = nullptr;
    if (!info[4].IsNull() && !info[4].IsUndefined()) {
      session = SessionArg(info[4]);
      if (!session) return TypeError(info, "session must be a session handle");
      if (session->closed) {
        Napi::Error::New(env, "the session is closed").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    Napi::Int32Array code = info[0].As<Napi::Int32Array>();
    Napi::Uint8Array strings = info[1].As<Napi::Uint8Array>();
    epl::RunInput in;
    in.code = code.Data();
    in.words = static_cast<int64_t>(code.ElementLength());
    in.strings = strings.Data();
    in.stringBytes = static_cast<int64_t>(strings.ElementLength());
    in.slotCount = info[2].As<Napi::Number>().DoubleValue();
    double fam = info[3].As<Napi::Number>().DoubleValue();
    in.family = fam >= 0 && fam < epl::kFamilyCount && static_cast<int32_t>(fam) == fam ? static_cast<int32_t>(fam) : -1;
    exec_.run(in, session ? &session->state : nullptr);
    size_t size = exec_.resultSize();
    if (info.Length() > 5 && info[5].IsTypedArray() && info[5].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
      Napi::Uint8Array scratch = info[5].As<Napi::Uint8Array>();
      if (scratch.ElementLength() >= size) {
        exec_.writeResult(scratch.Data());
        return Napi::Number::New(env, static_cast<double>(size));
      }
    }
    Napi::Uint8Array out = Napi::Uint8Array::New(env, size);
    exec_.writeResult(out.Data());
    return out;
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

  // laneRun(lane, code: Int32Array, strings: Uint8Array, meta: Int32Array, family: number):
  //   Promise<{ raw: Uint8Array, offsets: Int32Array, files, netns, reason?, error? }>
  Napi::Value LaneRun(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5) return TypeError(info, "laneRun(lane, code, strings, meta, family)");
    std::shared_ptr<LaneState>* handle = LaneArg(info[0]);
    if (!handle) return TypeError(info, "lane must be a lane handle");
    LaneState* s = handle->get();
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      return TypeError(info, "code must be an Int32Array");
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      return TypeError(info, "strings must be a Uint8Array");
    if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      return TypeError(info, "meta must be an Int32Array");
    double fam = info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : -1;
    if (!(fam >= 0 && fam < epl::kFamilyCount) || static_cast<int32_t>(fam) != fam) return TypeError(info, "family must be a family code");
    if (s->closed) {
      Napi::Error::New(env, "the lane is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Int32Array code = info[1].As<Napi::Int32Array>();
    Napi::Uint8Array strings = info[2].As<Napi::Uint8Array>();
    Napi::Int32Array meta = info[3].As<Napi::Int32Array>();
    std::string bad = epl::laneMetaError(meta.Data(), meta.ElementLength(), code.ElementLength(), strings.ElementLength());
    if (!bad.empty()) return TypeError(info, bad.c_str());
    // The thread works on copies: the caller's arrays may be reused or collected meanwhile.
    auto* job = new LaneJob(env, *handle);
    job->batch.code.assign(code.Data(), code.Data() + code.ElementLength());
    job->batch.strings.assign(strings.Data(), strings.Data() + strings.ElementLength());
    job->batch.meta.assign(meta.Data(), meta.Data() + meta.ElementLength());
    job->batch.family = static_cast<int32_t>(fam);
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
    Napi::Int32Array offsets = Napi::Int32Array::New(env, b.offsets.size());
    if (!b.offsets.empty()) memcpy(offsets.Data(), b.offsets.data(), b.offsets.size() * sizeof(int32_t));
    o.Set("raw", raw);
    o.Set("offsets", offsets);
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
    o.Set("batchMetaWords", epl::kLaneMetaWords);
    return o;
  }

  // openSession(family: number): External. The state is torn down by closeSession, or by the
  // garbage collector if the caller forgets.
  Napi::Value OpenSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double fam = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
    if (!(fam >= 0 && fam < epl::kFamilyCount) || static_cast<int32_t>(fam) != fam) return TypeError(info, "family must be a family code");
    auto* s = new (std::nothrow) Session();
    if (!s) {
      Napi::Error::New(env, "out of memory").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    s->family = static_cast<int32_t>(fam);
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
