<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About StoryClip Desktop</source>
        <extracomment>What the app is made of and under which licence (shipped in the frozen build too). What the app cannot know on a server without a history (the ``capabilities`` log line says which kind of server this is: ``history: false`` is the deployed backend).</extracomment>
        <translation>Acerca de StoryClip Desktop</translation>
    </message>
    <message>
        <source>StoryClip Desktop %1</source>
        <translation>StoryClip Desktop %1</translation>
    </message>
    <message>
        <source>Follows your StoryClip publishing from the system tray.</source>
        <translation>Sigue tus publicaciones de StoryClip desde la bandeja del sistema.</translation>
    </message>
    <message>
        <source>Qt %1 · Qt for Python %2 · Python %3</source>
        <translation>Qt %1 · Qt for Python %2 · Python %3</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>Licencias</translation>
    </message>
    <message>
        <source>StoryClip Desktop is free software under the MIT licence. Qt and Qt for Python are used under the GNU LGPL version 3; their source is available from the Qt Project.</source>
        <translation>StoryClip Desktop es software libre con licencia MIT. Qt y Qt for Python se usan con la licencia GNU LGPL versión 3; su código fuente está disponible en el Qt Project.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Where the StoryClip server keeps no history of publications (its deployed backend today), StoryClip Desktop can only announce and show the publications it saw while running: one that starts and ends while the app is closed, offline or signed out is never known to it.</source>
        <translation>Donde el servidor de StoryClip no guarda historial de publicaciones (hoy, su backend desplegado), StoryClip Desktop solo puede anunciar y mostrar las publicaciones que vio mientras estaba en marcha: una que empieza y termina con la aplicación cerrada, sin conexión o sin sesión iniciada nunca llega a conocerla.</translation>
    </message>
</context>
<context>
    <name>AccountView</name>
    <message>
        <source>Signed in as</source>
        <translation>Sesión iniciada como</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Lotes activos…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Actualizando…</translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished earlier.</source>
        <translation>
            <numerusform>%n lote terminó antes.</numerusform>
            <numerusform>%n lotes terminaron antes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) paused.</source>
        <translation>
            <numerusform>%n lote en pausa.</numerusform>
            <numerusform>%n lotes en pausa.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished.</source>
        <translation>
            <numerusform>%n lote terminado.</numerusform>
            <numerusform>%n lotes terminados.</numerusform>
        </translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and a message at the top of this window tells you when they finish.</source>
        <translation>Cuando publiques desde StoryClip, tus lotes aparecerán aquí y un aviso en la parte superior de esta ventana te dirá cuándo terminan.</translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and a desktop notification tells you when they finish.</source>
        <translation>Cuando publiques desde StoryClip, tus lotes aparecerán aquí y una notificación del escritorio te dirá cuándo terminan.</translation>
    </message>
    <message>
        <source>Closing this window keeps StoryClip Desktop running in the system tray.</source>
        <translation>Si cierras esta ventana, StoryClip Desktop sigue en marcha en la bandeja del sistema.</translation>
    </message>
    <message>
        <source>This desktop has no system tray, so closing this window quits StoryClip Desktop.</source>
        <translation>Este escritorio no tiene bandeja del sistema, así que al cerrar esta ventana se cierra StoryClip Desktop.</translation>
    </message>
    <message>
        <source>Nothing is publishing right now</source>
        <translation>No hay publicaciones en curso</translation>
    </message>
</context>
<context>
    <name>ActiveBatchesDialog</name>
    <message>
        <source>Active batches — StoryClip</source>
        <translation>Lotes activos — StoryClip</translation>
    </message>
    <message>
        <source>Active batches</source>
        <translation>Lotes activos</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Read every batch again from the server (F5)</source>
        <translation>Volver a leer todos los lotes del servidor (F5)</translation>
    </message>
    <message>
        <source>&amp;All</source>
        <translation>&amp;Todos</translation>
    </message>
    <message>
        <source>&amp;Publishing</source>
        <translation>&amp;Publicando</translation>
    </message>
    <message>
        <source>F&amp;inished</source>
        <translation>&amp;Terminados</translation>
    </message>
    <message>
        <source>Fai&amp;led</source>
        <translation>&amp;Fallidos</translation>
    </message>
    <message>
        <source>Search names and clip titles</source>
        <translation>Buscar en nombres y títulos de clips</translation>
    </message>
    <message>
        <source>Search batches</source>
        <translation>Buscar lotes</translation>
    </message>
    <message>
        <source>&amp;Clear finished</source>
        <translation>&amp;Quitar terminados</translation>
    </message>
    <message>
        <source>Clear finished batches from this list</source>
        <translation>Quitar de esta lista los lotes terminados</translation>
    </message>
    <message>
        <source>Remove the finished batches from this list (the server keeps them)</source>
        <translation>Quitar de esta lista los lotes terminados (el servidor los conserva)</translation>
    </message>
    <message>
        <source>Open in &amp;StoryClip</source>
        <extracomment>Where &quot;Open in StoryClip&quot; goes (the settings&apos; web app address).</extracomment>
        <translation>Abrir en &amp;StoryClip</translation>
    </message>
    <message>
        <source>Open the StoryClip web app in the browser</source>
        <translation>Abrir la aplicación web de StoryClip en el navegador</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</source>
        <translation>No hay ningún lote publicándose ahora.
Los lotes que publiques desde StoryClip aparecen aquí mientras se procesan.</translation>
    </message>
    <message>
        <source>The selected batch and its clips</source>
        <translation>El lote seleccionado y sus clips</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Actualizando…</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server. Showing the last known state; retrying in the background.</source>
        <translation>No se puede conectar con el servidor de StoryClip. Se muestra el último estado conocido; se sigue intentando en segundo plano.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Show</source>
        <translation>Ver</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Descartar</translation>
    </message>
</context>
<context>
    <name>BatchActions</name>
    <message>
        <source>Pa&amp;use</source>
        <translation>Pa&amp;usar</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Reanudar</translation>
    </message>
    <message>
        <source>Ca&amp;ncel…</source>
        <translation>Ca&amp;ncelar…</translation>
    </message>
    <message>
        <source>Retry &amp;failed</source>
        <translation>Re&amp;intentar fallidos</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Not known yet whether this server can act on batches.</source>
        <translation>Aún no se sabe si este servidor puede actuar sobre los lotes.</translation>
    </message>
    <message>
        <source>This server cannot pause, resume, cancel or retry batches: the StoryClip backend it runs answers such requests without doing them.</source>
        <translation>Este servidor no puede pausar, reanudar, cancelar ni reintentar lotes: el backend de StoryClip que usa responde a esas peticiones sin hacerlas.</translation>
    </message>
    <message>
        <source>Select a batch first.</source>
        <translation>Primero selecciona un lote.</translation>
    </message>
    <message>
        <source>Waiting for the server&apos;s answer…</source>
        <translation>Esperando la respuesta del servidor…</translation>
    </message>
    <message>
        <source>Only a batch that is publishing can be paused.</source>
        <translation>Solo se puede pausar un lote que se está publicando.</translation>
    </message>
    <message>
        <source>Only a paused batch can be resumed.</source>
        <translation>Solo se puede reanudar un lote en pausa.</translation>
    </message>
    <message>
        <source>This batch has ended: there is nothing left to cancel.</source>
        <translation>Este lote ha terminado: no queda nada que cancelar.</translation>
    </message>
    <message>
        <source>A cancelled batch cannot be retried.</source>
        <translation>Un lote cancelado no se puede reintentar.</translation>
    </message>
    <message>
        <source>No clip of this batch failed.</source>
        <translation>No ha fallado ningún clip de este lote.</translation>
    </message>
    <message>
        <source>Pause publishing after the clip in progress</source>
        <translation>Pausar la publicación después del clip en curso</translation>
    </message>
    <message>
        <source>Go on publishing this batch</source>
        <translation>Seguir publicando este lote</translation>
    </message>
    <message>
        <source>Stop publishing this batch (asks first)</source>
        <translation>Dejar de publicar este lote (pregunta antes)</translation>
    </message>
    <message>
        <source>Publish this batch&apos;s failed clips again</source>
        <translation>Volver a publicar los clips fallidos de este lote</translation>
    </message>
    <message>
        <source>Cancel publishing?</source>
        <translation>¿Cancelar la publicación?</translation>
    </message>
    <message>
        <source>Cancel publishing %1?</source>
        <translation>¿Cancelar la publicación de %1?</translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) already published stay published.</source>
        <translation>
            <numerusform>%n clip ya publicado sigue publicado.</numerusform>
            <numerusform>%n clips ya publicados siguen publicados.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) not published yet will not be published.</source>
        <translation>
            <numerusform>%n clip aún sin publicar no se publicará.</numerusform>
            <numerusform>%n clips aún sin publicar no se publicarán.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel publishing</source>
        <translation>Cancelar la publicación</translation>
    </message>
    <message>
        <source>Keep publishing</source>
        <translation>Seguir publicando</translation>
    </message>
</context>
<context>
    <name>BatchCard</name>
    <message>
        <source>Server error: %1</source>
        <translation>Error del servidor: %1</translation>
    </message>
    <message>
        <source>No clips</source>
        <translation>Sin clips</translation>
    </message>
    <message>
        <source>Published: %1 · Failed: %2 · Pending: %3</source>
        <translation>Publicados: %1 · Fallidos: %2 · Pendientes: %3</translation>
    </message>
    <message>
        <source>Published: %1 · Failed: %2 · Not published: %3</source>
        <translation>Publicados: %1 · Fallidos: %2 · Sin publicar: %3</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>Inicio %1</translation>
    </message>
    <message>
        <source>Created %1</source>
        <translation>Creado %1</translation>
    </message>
    <message>
        <source>Scheduled for %1</source>
        <translation>Programado para %1</translation>
    </message>
    <message>
        <source>Ended %1</source>
        <translation>Fin %1</translation>
    </message>
</context>
<context>
    <name>BatchListModel</name>
    <message>
        <source>%1 s</source>
        <extracomment>What the search looks in: the batch&apos;s name, job id and clip titles (lowercase). The row&apos;s batch id.</extracomment>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Published / failed · total clips</source>
        <translation>Publicados / fallidos · total de clips</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <source>Counts</source>
        <translation>Recuento</translation>
    </message>
    <message>
        <source>Updates</source>
        <translation>Actualizaciones</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Inicio</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Tiempo restante</translation>
    </message>
</context>
<context>
    <name>BatchListView</name>
    <message>
        <source>Batches</source>
        <translation>Lotes</translation>
    </message>
</context>
<context>
    <name>ClipTableModel</name>
    <message>
        <source>Clip %1</source>
        <translation>Clip %1</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Título</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Intentos</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publicado el</translation>
    </message>
</context>
<context>
    <name>ClipTableView</name>
    <message>
        <source>Copy error</source>
        <translation>Copiar error</translation>
    </message>
    <message>
        <source>Copy row</source>
        <translation>Copiar fila</translation>
    </message>
    <message>
        <source>Open the post</source>
        <translation>Abrir la publicación</translation>
    </message>
</context>
<context>
    <name>ControlTexts</name>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Reintentar fallidos</translation>
    </message>
    <message>
        <source>this server does not support it, so nothing was asked of it.</source>
        <translation>este servidor no lo admite, así que no se le ha pedido nada.</translation>
    </message>
    <message>
        <source>the server does not know this batch (any more).</source>
        <translation>el servidor no conoce este lote (ya no).</translation>
    </message>
    <message>
        <source>the server answered that it was done, but the batch did not change. Try again, or do it in the StoryClip web app.</source>
        <translation>el servidor respondió que estaba hecho, pero el lote no cambió. Inténtalo de nuevo o hazlo en la aplicación web de StoryClip.</translation>
    </message>
    <message>
        <source>the batch&apos;s state does not allow it now. The list shows its state.</source>
        <translation>el estado del lote ya no lo permite. La lista muestra su estado.</translation>
    </message>
    <message>
        <source>the server could not be asked; nothing changed. Check the connection and try again.</source>
        <translation>no se pudo preguntar al servidor; no ha cambiado nada. Comprueba la conexión e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>%1 not done: %2</source>
        <translation>%1 no hecho: %2</translation>
    </message>
</context>
<context>
    <name>DesktopUi</name>
    <message>
        <source>StoryClip Desktop</source>
        <extracomment>Set by the app: what the settings dialog saves and checks through. Set by the app: the servers come from the command line or the environment (then the settings can be saved without them). The question on screen before something is lost (quit, sign out), if any. The session&apos;s listener (core.events.SessionListener): the app hands it to the session; its signals drive the sign-in, settings and first-look views.</extracomment>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>This desktop has no system tray, so closing this window quits StoryClip Desktop.</source>
        <translation>Este escritorio no tiene bandeja del sistema, así que cerrar esta ventana cierra StoryClip Desktop.</translation>
    </message>
    <message>
        <source>The demo server on this computer stops too.</source>
        <translation>El servidor demo de este equipo también se detiene.</translation>
    </message>
    <message>
        <source>Quit StoryClip Desktop?</source>
        <translation>¿Salir de StoryClip Desktop?</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>Sign out?</source>
        <translation>¿Cerrar sesión?</translation>
    </message>
    <message>
        <source>&amp;Sign out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) are still publishing. The server keeps publishing them, but you get no notices about them until StoryClip Desktop runs again.</source>
        <translation>
            <numerusform>%n publicación sigue publicándose. El servidor la sigue publicando, pero no recibirás avisos hasta que StoryClip Desktop vuelva a abrirse.</numerusform>
            <numerusform>%n publicaciones siguen publicándose. El servidor las sigue publicando, pero no recibirás avisos hasta que StoryClip Desktop vuelva a abrirse.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) are still publishing. The server keeps publishing them, but you get no notices about them until you sign in again.</source>
        <translation>
            <numerusform>%n publicación sigue publicándose. El servidor la sigue publicando, pero no recibirás avisos hasta que vuelvas a iniciar sesión.</numerusform>
            <numerusform>%n publicaciones siguen publicándose. El servidor las sigue publicando, pero no recibirás avisos hasta que vuelvas a iniciar sesión.</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not refresh. Check your connection and try again.</source>
        <translation>No se pudo actualizar. Revisa tu conexión e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Demo server: sign in as %1 to see its sample batches.</source>
        <translation>Servidor demo: inicia sesión como %1 para ver sus lotes de ejemplo.</translation>
    </message>
    <message>
        <source>Could not open a file manager. The log folder is %1</source>
        <translation>No se pudo abrir un gestor de archivos. La carpeta del registro es %1</translation>
    </message>
    <message>
        <source>Diagnostics copied to the clipboard (keys and tokens removed).</source>
        <translation>Diagnóstico copiado al portapapeles (sin claves ni tokens).</translation>
    </message>
    <message>
        <source>StoryClip Desktop is still running</source>
        <translation>StoryClip Desktop sigue en marcha</translation>
    </message>
    <message>
        <source>It keeps following your batches from here. Choose Quit in this menu to close it.</source>
        <translation>Sigue vigilando tus lotes desde aquí. Elige Salir en este menú para cerrarlo.</translation>
    </message>
</context>
<context>
    <name>FiguresChart</name>
    <message>
        <source>Clips published and failed per period</source>
        <translation>Clips publicados y fallidos por periodo</translation>
    </message>
    <message>
        <source>No figures yet</source>
        <translation>Aún no hay cifras</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>History — StoryClip</source>
        <translation>Historial — StoryClip</translation>
    </message>
    <message>
        <source>Ended publications</source>
        <translation>Publicaciones terminadas</translation>
    </message>
    <message>
        <source>Select a publication to see its clips.</source>
        <translation>Selecciona una publicación para ver sus clips.</translation>
    </message>
    <message>
        <source>Clips of the selected publication</source>
        <translation>Clips de la publicación seleccionada</translation>
    </message>
    <message>
        <source>Figures per</source>
        <translation>Cifras por</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Por día</translation>
    </message>
    <message>
        <source>Per week</source>
        <translation>Por semana</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Exportar CSV…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>All ended</source>
        <translation>Todas las terminadas</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completadas</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallidas</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Canceladas</translation>
    </message>
    <message>
        <source>Ended between</source>
        <translation>Terminadas entre</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Hasta</translation>
    </message>
    <message>
        <source>Search names and clip titles</source>
        <translation>Buscar en nombres y títulos de clips</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>The history could not be loaded. Try again later.</source>
        <translation>No se pudo cargar el historial. Inténtalo de nuevo más tarde.</translation>
    </message>
    <message>
        <source>%1 publications loaded</source>
        <translation>%1 publicaciones cargadas</translation>
    </message>
    <message>
        <source>This server keeps no history: these are the publications this app saw. Publications that started and ended while the app was not running, or that it never saw, are not here, and their clip titles cannot be searched.</source>
        <translation>Este servidor no guarda historial: estas son las publicaciones que vio esta aplicación. Las que empezaron y terminaron mientras la aplicación no estaba abierta, o que nunca vio, no aparecen aquí, y no se puede buscar en los títulos de sus clips.</translation>
    </message>
    <message>
        <source>Loading the clips of %1…</source>
        <translation>Cargando los clips de %1…</translation>
    </message>
    <message>
        <source>Clips of %1</source>
        <translation>Clips de %1</translation>
    </message>
    <message>
        <source>The clips could not be loaded.</source>
        <translation>No se pudieron cargar los clips.</translation>
    </message>
    <message>
        <source>No ended publications loaded.</source>
        <translation>No hay publicaciones terminadas cargadas.</translation>
    </message>
    <message>
        <source>%1 publications: %2 clips published, %3 failed, success rate %4%</source>
        <translation>%1 publicaciones: %2 clips publicados, %3 fallidos, tasa de éxito %4%</translation>
    </message>
    <message>
        <source>Export the history</source>
        <translation>Exportar el historial</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>Exported %1 rows.</source>
        <translation>Exportadas %1 filas.</translation>
    </message>
    <message>
        <source>The history could not be exported.</source>
        <translation>No se pudo exportar el historial.</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <source>Publication</source>
        <translation>Publicación</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Inicio</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publicados</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallidos</translation>
    </message>
    <message>
        <source>Clips</source>
        <translation>Clips</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>&amp;StoryClip</source>
        <extracomment>Closing without a tray asks first (set by the UI, which asks).</extracomment>
        <translation>&amp;StoryClip</translation>
    </message>
    <message>
        <source>&amp;Active batches…</source>
        <translation>&amp;Lotes activos…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>Cerrar &amp;ventana</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Abrir la carpeta del &amp;registro</translation>
    </message>
    <message>
        <source>&amp;Copy diagnostics</source>
        <translation>&amp;Copiar diagnóstico</translation>
    </message>
    <message>
        <source>&amp;About StoryClip Desktop</source>
        <translation>&amp;Acerca de StoryClip Desktop</translation>
    </message>
    <message>
        <source>%1 — Demo</source>
        <translation>%1 — Demo</translation>
    </message>
    <message>
        <source>Demo server · %1</source>
        <translation>Servidor demo · %1</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Sin sesión iniciada</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server — retrying…</source>
        <translation>No se puede conectar con el servidor de StoryClip — reintentando…</translation>
    </message>
    <message>
        <source>Connected — a batch seems stalled on the server</source>
        <translation>Conectado — un lote parece detenido en el servidor</translation>
    </message>
    <message>
        <source>Connected — reconnecting to live updates…</source>
        <translation>Conectado — reconectando a las actualizaciones en directo…</translation>
    </message>
    <message>
        <source>Connected — following by polling (server restarted)</source>
        <translation>Conectado — seguimiento por consulta periódica (el servidor se reinició)</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Conectado</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>&amp;Historial…</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Show failed clips</source>
        <translation>Ver clips fallidos</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Reintentar fallidos</translation>
    </message>
    <message>
        <source>Publishing in progress</source>
        <translation>Publicación en progreso</translation>
    </message>
    <message>
        <source>Publishing failed: %1</source>
        <translation>Error en publicación: %1</translation>
    </message>
    <message>
        <source>Publishing cancelled: %1</source>
        <translation>Publicación cancelada: %1</translation>
    </message>
    <message>
        <source>Publishing completed: %1</source>
        <translation>Publicación completada: %1</translation>
    </message>
    <message>
        <source>Could not connect to the server</source>
        <translation>No se pudo conectar al servidor</translation>
    </message>
    <message>
        <source>StoryClip Desktop keeps trying and catches up as soon as the server answers.</source>
        <translation>StoryClip Desktop sigue intentándolo y se pondrá al día en cuanto el servidor responda.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>StoryClip Desktop settings</source>
        <translation>Ajustes de StoryClip Desktop</translation>
    </message>
    <message>
        <source>Welcome to StoryClip Desktop</source>
        <translation>Te damos la bienvenida a StoryClip Desktop</translation>
    </message>
    <message>
        <source>Tell the app where your StoryClip server is: the addresses and keys come from your StoryClip administrator. Or try the demo, which runs a small StoryClip server on this computer with sample batches.</source>
        <translation>Indica a la aplicación dónde está tu servidor de StoryClip: las direcciones y las claves te las da quien administra tu StoryClip. O prueba la demo, que ejecuta un pequeño servidor de StoryClip en este ordenador con lotes de ejemplo.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Fill in the API URL, the Supabase URL, the anon key and the API key to save, or try the demo.</source>
        <translation>Rellena la URL de la API, la URL de Supabase, la clave anon y la clave de API para guardar, o prueba la demo.</translation>
    </message>
    <message>
        <source>Fill in the API URL, the Supabase URL, the anon key and the API key to save.</source>
        <translation>Rellena la URL de la API, la URL de Supabase, la clave anon y la clave de API para guardar.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Probar la demo</translation>
    </message>
    <message>
        <source>Start a local StoryClip server with sample batches and sign in to it</source>
        <translation>Inicia un servidor local de StoryClip con lotes de ejemplo e inicia sesión en él</translation>
    </message>
    <message>
        <source>An API key given with --api-key or STORYCLIP_API_KEY is in use; it wins over the one saved here.</source>
        <translation>Se está usando una clave de API indicada con --api-key o STORYCLIP_API_KEY; tiene prioridad sobre la guardada aquí.</translation>
    </message>
    <message>
        <source>the project&apos;s anon (public) key</source>
        <translation>la clave anon (pública) del proyecto</translation>
    </message>
    <message>
        <source>Reading the keyring…</source>
        <translation>Leyendo el llavero…</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>StoryClip API URL</source>
        <translation>URL de la API de StoryClip</translation>
    </message>
    <message>
        <source>Supabase URL</source>
        <translation>URL de Supabase</translation>
    </message>
    <message>
        <source>Supabase anon key</source>
        <translation>Clave anon de Supabase</translation>
    </message>
    <message>
        <source>StoryClip API key</source>
        <translation>Clave de API de StoryClip</translation>
    </message>
    <message>
        <source>Kept in the system keyring, never in the settings file.</source>
        <translation>Se guarda en el llavero del sistema, nunca en el archivo de ajustes.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Probar la conexión</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>StoryClip web app address</source>
        <translation>Dirección de la aplicación web de StoryClip</translation>
    </message>
    <message>
        <source>StoryClip web app</source>
        <translation>Aplicación web de StoryClip</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>El nuevo idioma se aplica la próxima vez que se inicie la aplicación.</translation>
    </message>
    <message>
        <source>Start-up</source>
        <translation>Inicio</translation>
    </message>
    <message>
        <source>Start StoryClip Desktop when I log in</source>
        <translation>Iniciar StoryClip Desktop al iniciar sesión</translation>
    </message>
    <message>
        <source>Use your system&apos;s settings to start apps at login.</source>
        <translation>Usa los ajustes de tu sistema para iniciar aplicaciones al iniciar sesión.</translation>
    </message>
    <message>
        <source>Start minimized to the tray</source>
        <translation>Iniciar minimizado en la bandeja</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificaciones</translation>
    </message>
    <message>
        <source>&amp;Notify me about:</source>
        <translation>&amp;Avisarme de:</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>Todo</translation>
    </message>
    <message>
        <source>Finished and failed publications</source>
        <translation>Publicaciones terminadas y fallidas</translation>
    </message>
    <message>
        <source>Failures only</source>
        <translation>Solo los fallos</translation>
    </message>
    <message>
        <source>Notify me about</source>
        <translation>Avisarme de</translation>
    </message>
    <message>
        <source>Publishing in progress when the app starts</source>
        <translation>Publicaciones en curso al iniciar la aplicación</translation>
    </message>
    <message>
        <source>A batch finished publishing</source>
        <translation>Un lote terminó de publicarse</translation>
    </message>
    <message>
        <source>A batch failed</source>
        <translation>Un lote falló</translation>
    </message>
    <message>
        <source>A batch was cancelled</source>
        <translation>Un lote se canceló</translation>
    </message>
    <message>
        <source>The server cannot be reached</source>
        <translation>No se puede conectar con el servidor</translation>
    </message>
    <message>
        <source>the key StoryClip gave you</source>
        <translation>la clave que te dio StoryClip</translation>
    </message>
    <message>
        <source>No system keyring was found, so the API key cannot be saved. Give it with --api-key or STORYCLIP_API_KEY instead.</source>
        <translation>No se encontró un llavero del sistema, así que la clave de API no se puede guardar. Indícala con --api-key o STORYCLIP_API_KEY.</translation>
    </message>
    <message>
        <source>The system keyring is locked. Unlock it (sign in to your desktop again) to save the API key.</source>
        <translation>El llavero del sistema está bloqueado. Desbloquéalo (vuelve a iniciar sesión en tu escritorio) para guardar la clave de API.</translation>
    </message>
    <message>
        <source>The system keyring could not be used, so the API key cannot be saved.</source>
        <translation>No se pudo usar el llavero del sistema, así que la clave de API no se puede guardar.</translation>
    </message>
    <message>
        <source>Use https:// — plain http:// is only allowed for this computer.</source>
        <translation>Usa https://; http:// sin cifrar solo se permite para este ordenador.</translation>
    </message>
    <message>
        <source>Only the address: no ?query, #fragment or user name.</source>
        <translation>Solo la dirección: sin ?consulta, #fragmento ni nombre de usuario.</translation>
    </message>
    <message>
        <source>Type an address like https://server.example</source>
        <translation>Escribe una dirección como https://servidor.ejemplo</translation>
    </message>
    <message>
        <source>This is too long to be a key.</source>
        <translation>Es demasiado largo para ser una clave.</translation>
    </message>
    <message>
        <source>A key is one word: no spaces or special characters.</source>
        <translation>Una clave es una sola palabra: sin espacios ni caracteres especiales.</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Probando la conexión…</translation>
    </message>
    <message>
        <source>The test could not run: %1</source>
        <translation>No se pudo hacer la prueba: %1</translation>
    </message>
    <message>
        <source>Sign-in service (Supabase)</source>
        <translation>Servicio de inicio de sesión (Supabase)</translation>
    </message>
    <message>
        <source>StoryClip API</source>
        <translation>API de StoryClip</translation>
    </message>
    <message>
        <source>%1: reachable, anon key accepted.</source>
        <translation>%1: accesible, clave anon aceptada.</translation>
    </message>
    <message>
        <source>%1: reachable, API key accepted.</source>
        <translation>%1: accesible, clave de API aceptada.</translation>
    </message>
    <message>
        <source>%1: no address yet.</source>
        <translation>%1: todavía no hay dirección.</translation>
    </message>
    <message>
        <source>%1: cannot connect to %2. Check the address and your network.</source>
        <translation>%1: no se puede conectar con %2. Revisa la dirección y tu red.</translation>
    </message>
    <message>
        <source>%1: %2 did not answer in time. Check the address and your network.</source>
        <translation>%1: %2 no respondió a tiempo. Revisa la dirección y tu red.</translation>
    </message>
    <message>
        <source>%1: the secure connection to %2 failed (%3). Check the address, and this computer&apos;s date and time.</source>
        <translation>%1: falló la conexión segura con %2 (%3). Revisa la dirección, y la fecha y hora de este ordenador.</translation>
    </message>
    <message>
        <source>%1: %2 answered, but it is not a Supabase project address (HTTP 404). It looks like https://project.supabase.co</source>
        <translation>%1: %2 respondió, pero no es la dirección de un proyecto de Supabase (HTTP 404). Tiene la forma https://proyecto.supabase.co</translation>
    </message>
    <message>
        <source>%1: %2 answered, but not as the StoryClip API (HTTP 404). Use the server&apos;s base address, without /api.</source>
        <translation>%1: %2 respondió, pero no como la API de StoryClip (HTTP 404). Usa la dirección base del servidor, sin /api.</translation>
    </message>
    <message>
        <source>%1: %2 answered something unexpected (%3). Check the address.</source>
        <translation>%1: %2 respondió algo inesperado (%3). Revisa la dirección.</translation>
    </message>
    <message>
        <source>%1: reachable, but it needs the anon key.</source>
        <translation>%1: accesible, pero necesita la clave anon.</translation>
    </message>
    <message>
        <source>%1: reachable, but the anon key is wrong. Copy it again from the Supabase project&apos;s API settings.</source>
        <translation>%1: accesible, pero la clave anon es incorrecta. Cópiala de nuevo de los ajustes de API del proyecto de Supabase.</translation>
    </message>
    <message>
        <source>%1: reachable, but it needs the API key.</source>
        <translation>%1: accesible, pero necesita la clave de API.</translation>
    </message>
    <message>
        <source>%1: reachable, but the API key is wrong (INVALID_API_KEY). Check it with your StoryClip administrator.</source>
        <translation>%1: accesible, pero la clave de API es incorrecta (INVALID_API_KEY). Compruébala con quien administra tu StoryClip.</translation>
    </message>
    <message>
        <source>%1: the API key is valid but may not read batches (INSUFFICIENT_SCOPE).</source>
        <translation>%1: la clave de API es válida pero no puede leer lotes (INSUFFICIENT_SCOPE).</translation>
    </message>
    <message>
        <source>%1: too many requests; try again in a minute.</source>
        <translation>%1: demasiadas peticiones; vuelve a intentarlo en un minuto.</translation>
    </message>
    <message>
        <source>%1: the server has a problem (%3). Try again later.</source>
        <translation>%1: el servidor tiene un problema (%3). Vuelve a intentarlo más tarde.</translation>
    </message>
    <message>
        <source>The start-at-login entry could not be written.</source>
        <translation>No se pudo escribir la entrada de inicio al iniciar sesión.</translation>
    </message>
    <message>
        <source>The other settings were saved.</source>
        <translation>Los demás ajustes se guardaron.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>The settings could not be saved: %1</source>
        <translation>No se pudieron guardar los ajustes: %1</translation>
    </message>
</context>
<context>
    <name>SignInView</name>
    <message>
        <source>Sign in to StoryClip</source>
        <translation>Inicia sesión en StoryClip</translation>
    </message>
    <message>
        <source>Follow your publishing from the tray, even with every window closed.</source>
        <translation>Sigue tus publicaciones desde la bandeja, aunque cierres todas las ventanas.</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>tu@ejemplo.com</translation>
    </message>
    <message>
        <source>There is no StoryClip server set up yet. Set it up with the addresses your StoryClip administrator gave you, or try the demo on this computer.</source>
        <translation>Todavía no hay ningún servidor de StoryClip configurado. Configúralo con las direcciones que te dio tu administrador de StoryClip, o prueba la demo en este equipo.</translation>
    </message>
    <message>
        <source>&amp;Set up the server…</source>
        <translation>&amp;Configurar el servidor…</translation>
    </message>
    <message>
        <source>&amp;Try the demo</source>
        <translation>&amp;Probar la demo</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;Correo electrónico</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Contraseña</translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation>&amp;Recordarme en este equipo</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Enter your email and your password.</source>
        <translation>Escribe tu correo electrónico y tu contraseña.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Iniciando sesión…</translation>
    </message>
    <message>
        <source>StoryClip Desktop tells you when each of your batches finishes.</source>
        <translation>StoryClip Desktop te avisa cuando termina cada uno de tus lotes.</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message numerus="yes">
        <source>%n batch(es) publishing</source>
        <translation>
            <numerusform>%n lote publicándose</numerusform>
            <numerusform>%n lotes publicándose</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing publishing</source>
        <translation>Nada publicándose</translation>
    </message>
    <message numerus="yes">
        <source>You have %n publication(s) in progress</source>
        <translation>
            <numerusform>Tienes %n publicación en proceso</numerusform>
            <numerusform>Tienes %n publicaciones en proceso</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Clips (%n)</source>
        <translation>
            <numerusform>Clips (%n)</numerusform>
            <numerusform>Clips (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished</source>
        <translation>
            <numerusform>%n lote terminado</numerusform>
            <numerusform>%n lotes terminados</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) failed</source>
        <translation>
            <numerusform>%n lote falló</numerusform>
            <numerusform>%n lotes fallaron</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) failed</source>
        <translation>
            <numerusform>%n clip falló</numerusform>
            <numerusform>%n clips fallaron</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) failed.</source>
        <comment>sentence</comment>
        <translation>
            <numerusform>Falló %n clip.</numerusform>
            <numerusform>Fallaron %n clips.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more…</source>
        <translation>
            <numerusform>y %n más…</numerusform>
            <numerusform>y %n más…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connected — following %n batch(es) live</source>
        <translation>
            <numerusform>Conectado — siguiendo %n lote en directo</numerusform>
            <numerusform>Conectado — siguiendo %n lotes en directo</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n clip(s) done so far.</source>
        <translation>
            <numerusform>%1 de %n clip terminado hasta ahora.</numerusform>
            <numerusform>%1 de %n clips terminados hasta ahora.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 / %n clip(s)</source>
        <translation>
            <numerusform>%1 / %n clip</numerusform>
            <numerusform>%1 / %n clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n failed</source>
        <comment>progress</comment>
        <translation>
            <numerusform>%1 · %n fallido</numerusform>
            <numerusform>%1 · %n fallidos</numerusform>
        </translation>
    </message>
    <message>
        <source>The clip was published</source>
        <translation>Se publicó el clip</translation>
    </message>
    <message>
        <source>The clip was not published</source>
        <translation>No se publicó el clip</translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 clips were published</source>
        <translation>
            <numerusform>Se publicó %n de %1 clips</numerusform>
            <numerusform>Se publicaron %n de %1 clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %n failed</source>
        <comment>published</comment>
        <translation>
            <numerusform>%1; %n falló</numerusform>
            <numerusform>%1; %n fallaron</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 + %n more</source>
        <comment>batch name</comment>
        <translation>
            <numerusform>%1 + %n más</numerusform>
            <numerusform>%1 + %n más</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) finished</source>
        <translation>
            <numerusform>Terminó %n publicación</numerusform>
            <numerusform>Terminaron %n publicaciones</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) published</source>
        <translation>
            <numerusform>%n clip publicado</numerusform>
            <numerusform>%n clips publicados</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) paused</source>
        <translation>
            <numerusform>%n lote en pausa</numerusform>
            <numerusform>%n lotes en pausa</numerusform>
        </translation>
    </message>
    <message>
        <source>Batch %1</source>
        <translation>Lote %1</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>En proceso</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completado</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <source>Unknown (%1)</source>
        <translation>Desconocido (%1)</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pendiente</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Subiendo</translation>
    </message>
    <message>
        <source>Waiting for confirmation</source>
        <translation>Esperando confirmación</translation>
    </message>
    <message>
        <source>Scheduling</source>
        <translation>Programando</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Programado</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publicado</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>En directo</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Reconectando en %1 s</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Reconectando…</translation>
    </message>
    <message>
        <source>Server restarted, following by polling</source>
        <translation>El servidor se reinició; seguimiento por consulta periódica</translation>
    </message>
    <message>
        <source>Stalled: the server stopped working on this batch</source>
        <translation>Detenido: el servidor dejó de trabajar en este lote</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Terminado</translation>
    </message>
    <message>
        <source>Not following</source>
        <translation>Sin seguimiento</translation>
    </message>
    <message>
        <source>The email or password is not correct. Check them and try again, or reset your password on the StoryClip website.</source>
        <translation>El correo electrónico o la contraseña no son correctos. Revísalos e inténtalo de nuevo, o restablece tu contraseña en la web de StoryClip.</translation>
    </message>
    <message>
        <source>Your email address is not confirmed yet. Open the link in the confirmation email from StoryClip, then sign in again.</source>
        <translation>Tu correo electrónico aún no está confirmado. Abre el enlace del correo de confirmación de StoryClip y vuelve a iniciar sesión.</translation>
    </message>
    <message>
        <source>Your session has expired. Sign in again to keep following your batches.</source>
        <translation>Tu sesión ha caducado. Vuelve a iniciar sesión para seguir tus lotes.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts. Wait a minute, then try again.</source>
        <translation>Demasiados intentos de inicio de sesión. Espera un minuto e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Could not reach the StoryClip server. Check your internet connection and try again.</source>
        <translation>No se pudo conectar con el servidor de StoryClip. Revisa tu conexión a internet e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>The StoryClip server had a problem. Try again in a few minutes.</source>
        <translation>El servidor de StoryClip tuvo un problema. Inténtalo de nuevo en unos minutos.</translation>
    </message>
    <message>
        <source>Something went wrong while signing in. Try again; if it keeps happening, contact StoryClip support.</source>
        <translation>Algo salió mal al iniciar sesión. Inténtalo de nuevo; si vuelve a ocurrir, contacta con el soporte de StoryClip.</translation>
    </message>
    <message>
        <source>You were signed out by the server (perhaps from another device). Sign in again.</source>
        <translation>El servidor cerró tu sesión (quizá desde otro dispositivo). Vuelve a iniciar sesión.</translation>
    </message>
    <message>
        <source>You were signed out because of an error. Sign in again.</source>
        <translation>Se cerró tu sesión por un error. Vuelve a iniciar sesión.</translation>
    </message>
    <message>
        <source>This computer has no password keyring, so your session is kept only until you quit StoryClip Desktop; you will have to sign in again next time.</source>
        <translation>Este equipo no tiene un llavero de contraseñas, así que tu sesión solo se conserva hasta que salgas de StoryClip Desktop; la próxima vez tendrás que volver a iniciar sesión.</translation>
    </message>
    <message>
        <source>Your password keyring is locked, so your session is kept only until you quit StoryClip Desktop. Unlock the keyring to stay signed in.</source>
        <translation>Tu llavero de contraseñas está bloqueado, así que tu sesión solo se conserva hasta que salgas de StoryClip Desktop. Desbloquea el llavero para mantener la sesión.</translation>
    </message>
    <message>
        <source>Your session could not be saved in the password keyring, so it is kept only until you quit StoryClip Desktop.</source>
        <translation>No se pudo guardar tu sesión en el llavero de contraseñas, así que solo se conserva hasta que salgas de StoryClip Desktop.</translation>
    </message>
    <message>
        <source>StoryClip Desktop could not read its list of announced batches; it may announce a finished batch again.</source>
        <translation>StoryClip Desktop no pudo leer su lista de lotes ya anunciados; puede que vuelva a anunciar un lote terminado.</translation>
    </message>
    <message>
        <source>StoryClip Desktop cannot save its list of announced batches; after a restart it may announce a finished batch again.</source>
        <translation>StoryClip Desktop no puede guardar su lista de lotes ya anunciados; tras reiniciarse puede que vuelva a anunciar un lote terminado.</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open StoryClip</source>
        <extracomment>How many running batches the tray menu lists by name.</extracomment>
        <translation>Abrir StoryClip</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Lotes activos…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Ajustes…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Sin sesión iniciada</translation>
    </message>
    <message>
        <source>Cannot reach the server</source>
        <translation>No se puede conectar con el servidor</translation>
    </message>
    <message>
        <source>%1 — %2 / %3 clips</source>
        <translation>%1 — %2 / %3 clips</translation>
    </message>
    <message>
        <source>StoryClip Desktop — %1</source>
        <translation>StoryClip Desktop — %1</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>Historial…</translation>
    </message>
</context>
</TS>
