<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
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
    <message>
        <source>%1 of %2 clips done so far.</source>
        <translation>%1 de %2 clips terminados hasta ahora.</translation>
    </message>
    <message>
        <source>Nothing is publishing right now</source>
        <translation>No hay publicaciones en curso</translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and the tray tells you when they finish.</source>
        <translation>Cuando publiques desde StoryClip, tus lotes aparecerán aquí y el icono de la bandeja te avisará cuando terminen.</translation>
    </message>
    <message>
        <source>Batch %1</source>
        <translation>Lote %1</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
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
        <source>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</source>
        <translation>No hay ningún lote publicándose ahora.
Los lotes que publiques desde StoryClip aparecen aquí mientras se procesan.</translation>
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
    <name>BatchCard</name>
    <message>
        <source>Batch %1</source>
        <translation>Lote %1</translation>
    </message>
    <message>
        <source>Published %1 · Failed %2 · Pending %3</source>
        <translation>Publicados %1 · Fallidos %2 · Pendientes %3</translation>
    </message>
    <message>
        <source>Server error: %1</source>
        <translation>Error del servidor: %1</translation>
    </message>
    <message>
        <source>No clips</source>
        <translation>Sin clips</translation>
    </message>
    <message>
        <source>%1 / %2 clips</source>
        <translation>%1 / %2 clips</translation>
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
</context>
<context>
    <name>DesktopUi</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>Could not refresh. Check your connection and try again.</source>
        <translation>No se pudo actualizar. Revisa tu conexión e inténtalo de nuevo.</translation>
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
    <name>MainWindow</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>&amp;StoryClip</source>
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
        <source>&amp;About StoryClip Desktop</source>
        <translation>&amp;Acerca de StoryClip Desktop</translation>
    </message>
    <message>
        <source>About StoryClip Desktop</source>
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
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Publishing in progress</source>
        <translation>Publicación en progreso</translation>
    </message>
    <message>
        <source>%1 of %2 clips were published</source>
        <translation>Se publicaron %1 de %2 clips</translation>
    </message>
    <message>
        <source>Publishing failed</source>
        <translation>Error en publicación</translation>
    </message>
    <message>
        <source>Publishing cancelled</source>
        <translation>Publicación cancelada</translation>
    </message>
    <message>
        <source>%1 of %2 clips were published, %3 failed</source>
        <translation>Se publicaron %1 de %2 clips; %3 fallaron</translation>
    </message>
    <message>
        <source>Publishing completed</source>
        <translation>Publicación completada</translation>
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
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open StoryClip</source>
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
        <source>A batch failed</source>
        <translation>Un lote falló</translation>
    </message>
    <message>
        <source>Nothing publishing</source>
        <translation>Nada publicándose</translation>
    </message>
    <message>
        <source>StoryClip Desktop — %1</source>
        <translation>StoryClip Desktop — %1</translation>
    </message>
</context>
</TS>
