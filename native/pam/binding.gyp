{
  "targets": [
    {
      "target_name": "hub_pam",
      "sources": ["src/hub_pam.c", "src/accounts.c"],
      "libraries": ["-lpam"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-std=c11", "-D_GNU_SOURCE"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
