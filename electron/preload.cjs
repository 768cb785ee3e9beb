// The only bridge between the sandboxed page and the app: a few named functions, no Node, no raw ipcRenderer.
const { contextBridge, ipcRenderer, webUtils } = require("electron");

contextBridge.exposeInMainWorld("studio", {
  call: (method, payload) => ipcRenderer.invoke("studio:call", String(method), payload),
  onEvent: (listener) => {
    const handler = (_event, e) => listener(e);
    ipcRenderer.on("studio:event", handler);
    return () => ipcRenderer.removeListener("studio:event", handler);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
  chooseFolder: () => ipcRenderer.invoke("studio:choose-folder"),
  chooseFiles: () => ipcRenderer.invoke("studio:choose-files"),
});
