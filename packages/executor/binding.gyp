{
  "targets": [
    {
      "target_name": "epl_executor",
      "sources": [
        "src/native/addon.cc",
        "src/native/executor.cc",
        "src/native/capture.cc",
        "src/native/isolate.cc",
        "src/native/lane.cc",
        "src/native/batch.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
